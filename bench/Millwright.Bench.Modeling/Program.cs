using System.Diagnostics;
using System.Globalization;
using System.Text;
using Millwright.Modeling;
using Millwright.Modeling.Execution;
using Millwright.Warehouse;

// Usage: Millwright.Bench.Modeling [MODELS] [TESTS] [RUN_MODELS] [CLI_DLL] [JAFFLE_DIR]
var models = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var tests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5000;
var runModels = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
var cli = args.Length > 3 ? args[3] : null;
var jaffle = args.Length > 4 && args[4].Length > 0 ? args[4] : null;
var readyToRun = args.Length > 5 && File.Exists(args[5]) ? args[5] : null;
var keep = Environment.GetEnvironmentVariable("MILLWRIGHT_BENCH_DIR");
var root = keep ?? Directory.CreateTempSubdirectory("mw-bench-dbt-").FullName;
Console.WriteLine($"Command: bench/run-modeling.sh {models} {tests} {runModels}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

try
{
    // 1. Parse and compile a generated project.
    var big = Path.Combine(root, "big");
    var (generatedModels, generatedTests) = Generate(big, models, tests);
    Console.WriteLine($"\nGenerated project: {generatedModels:N0} models, {generatedTests:N0} tests, 3 macros (Jinja loops, macros, config, refs)");
    Console.WriteLine("| step | seconds |\n|---|---:|");
    foreach (var attempt in new[] { "in process, cold (first run, JIT), empty target/", "in process, warm, compiled files unchanged" })
    {
        var parse = await DbtRunner.RunAsync(DbtCommand.Parse, Options(big));
        var compiled = await DbtRunner.RunAsync(DbtCommand.Compile, Options(big));
        if (compiled.Errored > 0)
        {
            throw new InvalidOperationException(compiled.Results.First(r => r.Status == NodeStatus.Error).Message);
        }

        Console.WriteLine($"| parse, {attempt} | {parse.Elapsed.TotalSeconds:0.000} |");
        Console.WriteLine($"| parse + compile of {compiled.Results.Count:N0} nodes, {attempt} | {compiled.Elapsed.TotalSeconds:0.000} |");
    }

    if (cli is not null)
    {
        foreach (var (label, file, arguments) in Launchers(cli, readyToRun))
        {
            foreach (var verb in new[] { "parse", "compile" })
            {
                var clock = Stopwatch.StartNew();
                using var process = Process.Start(new ProcessStartInfo(file, [.. arguments, "dbt", verb, "--project-dir", big, "--profiles-dir", big]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                Console.WriteLine($"| `millwright dbt {verb}` as a new process, {label}, compiled files present | {clock.Elapsed.TotalSeconds:0.000} |");
            }
        }
    }

    // What creating that many files costs on this disk, without Millwright: the floor of a first compile.
    var files = Directory.GetFiles(Path.Combine(big, "target", "compiled"), "*.sql", SearchOption.AllDirectories);
    var copy = Path.Combine(root, "files");
    Directory.CreateDirectory(copy);
    var texts = files.Select(File.ReadAllText).ToList();
    var create = Stopwatch.StartNew();
    for (var i = 0; i < texts.Count; i++)
    {
        File.WriteAllText(Path.Combine(copy, $"f{i}.sql"), texts[i]);
    }

    create.Stop();
    Console.WriteLine($"| the disk alone: File.WriteAllText of the same {texts.Count:N0} new files | {create.Elapsed.TotalSeconds:0.000} |");

    // Docs site: the lineage graph of the whole project in a real browser (Debian's chromium through Playwright).
    var chromium = File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : null;
    var docs = await DbtRunner.RunAsync(DbtCommand.DocsGenerate, Options(big));
    if (chromium is null || docs.Errored > 0)
    {
        Console.WriteLine("\nDocs site: skipped (no chromium at /usr/bin/chromium)");
    }
    else
    {
        var server = Millwright.Web.Docs.DocsSites.BuildServer(Path.Combine(big, "target"), new Uri("http://127.0.0.1:0"));
        await using var _ = server;
        await server.StartAsync();
        var address = server.Urls.First();
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        Console.WriteLine("\nDocs site lineage in chromium (Playwright), whole project without tests:");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await page.GotoAsync("about:blank");
            var open = Stopwatch.StartNew();
            await page.GotoAsync(address + "?bench#!/lineage");
            var info = page.Locator("#info");
            await info.Filter(new() { HasTextString = "redraw" }).WaitForAsync(new() { Timeout = 60_000 });
            open.Stop();
            Console.WriteLine($"| run {attempt} | page ready {open.Elapsed.TotalSeconds:0.00} s (15.9 MB manifest loaded and parsed) | {await info.InnerTextAsync()} |");
        }
    }

    // 2. Per-model overhead of run on DuckDB beyond the SQL itself.
    var small = Path.Combine(root, "small");
    GenerateTrivial(small, runModels);
    var run = await DbtRunner.RunAsync(DbtCommand.Run, Options(small) with { Threads = 1 });
    if (!run.Succeeded)
    {
        throw new InvalidOperationException("run failed");
    }

    run = await DbtRunner.RunAsync(DbtCommand.Run, Options(small) with { Threads = 1 });
    await using (var warehouse = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(small, "bench.duckdb"))))
    {
        await warehouse.CreateSchemaAsync("direct");
        var direct = Stopwatch.StartNew();
        for (var i = 0; i < runModels; i++)
        {
            await warehouse.ExecuteAsync($"create or replace view direct.m{i:0000} as select {i} as id, 'x' as label");
        }

        direct.Stop();
        var perModel = run.Elapsed.TotalMilliseconds / runModels;
        var perStatement = direct.Elapsed.TotalMilliseconds / runModels;
        Console.WriteLine($"\nRun of {runModels} view models on DuckDB, 1 thread (second run: every view replaced)");
        Console.WriteLine($"| millwright dbt run, whole invocation (parse, compile, DDL, artifacts) | {run.Elapsed.TotalSeconds:0.000} s | {perModel:0.00} ms/model |");
        Console.WriteLine($"| DuckDB alone: CREATE OR REPLACE VIEW per model over one connection | {direct.Elapsed.TotalSeconds:0.000} s | {perStatement:0.00} ms/model |");
        Console.WriteLine($"| overhead beyond the SQL | | {perModel - perStatement:0.00} ms/model (ratio {perModel / perStatement:0.00}x) |");
    }

    // 3. jaffle_shop build end to end, as a process.
    if (cli is not null && jaffle is not null && File.Exists(Path.Combine(jaffle, "dbt_project.yml")))
    {
        File.WriteAllText(Path.Combine(jaffle, "profiles.yml"), "jaffle_shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: jaffle_shop.duckdb\n      threads: 4\n");
        Console.WriteLine("\njaffle_shop build (3 seeds, 5 models, 20 tests), `millwright dbt build`, wall clock including process start:");
        foreach (var (label, file, arguments) in Launchers(cli, readyToRun))
        {
            for (var i = 1; i <= 3; i++)
            {
                var clock = Stopwatch.StartNew();
                using var process = Process.Start(new ProcessStartInfo(file, [.. arguments, "dbt", "build", "--project-dir", jaffle, "--profiles-dir", jaffle]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                var output = await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                clock.Stop();
                var done = output.Split('\n').LastOrDefault(l => l.Contains("Done.", StringComparison.Ordinal))?.Trim() ?? "(no summary)";
                Console.WriteLine($"| {label}, run {i} | {clock.Elapsed.TotalSeconds:0.000} s | exit {process.ExitCode} | {done[Math.Max(0, done.IndexOf("Done.", StringComparison.Ordinal))..]} |");
            }
        }
    }
}
finally
{
    if (keep is null)
    {
        Directory.Delete(root, recursive: true);
    }
}

static IEnumerable<(string Label, string File, string[] Arguments)> Launchers(string cli, string? readyToRun)
{
    yield return ("build output (JIT)", "dotnet", [cli]);
    if (readyToRun is not null)
    {
        yield return ("published ReadyToRun", readyToRun, []);
    }
}

static DbtOptions Options(string dir) => new() { ProjectDir = dir, ProfilesDir = dir };

static void Profile(string dir) => File.WriteAllText(Path.Combine(dir, "profiles.yml"), "bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: bench.duckdb\n      threads: 2\n");

static (int Models, int Tests) Generate(string dir, int models, int tests)
{
    Directory.CreateDirectory(Path.Combine(dir, "models"));
    Directory.CreateDirectory(Path.Combine(dir, "macros"));
    File.WriteAllText(Path.Combine(dir, "dbt_project.yml"), "name: bench\nprofile: bench\nconfig-version: 2\nvars:\n  scale: 3\nmodels:\n  bench:\n    +materialized: view\n    marts:\n      +materialized: table\n");
    Profile(dir);
    File.WriteAllText(Path.Combine(dir, "macros", "helpers.sql"), """
        {% macro money(column, scale=2) -%} round({{ column }} / 100.0, {{ scale }}) {%- endmacro %}
        {% macro columns(prefix, n) -%}
          {%- for i in range(n) %}{{ prefix }}_{{ i }}{{ ', ' if not loop.last }}{% endfor -%}
        {%- endmacro %}
        {% macro label(kind) -%} {{ "'" ~ kind | upper ~ "'" }} {%- endmacro %}
        """);
    var yaml = new StringBuilder("version: 2\nmodels:\n");
    var testCount = 0;
    var random = new Random(20261125);
    for (var i = 0; i < models; i++)
    {
        var folder = i < models / 10 ? "staging" : i < models * 9 / 10 ? "intermediate" : "marts";
        Directory.CreateDirectory(Path.Combine(dir, "models", folder));
        var body = new StringBuilder();
        if (i < 20)
        {
            body.Append($"select range as id, range * {i + 1} as amount_cents, 'k{i % 4}' as kind from range(100)\n");
        }
        else
        {
            var parents = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => random.Next(Math.Max(0, i - 200), i)).Distinct().ToList();
            body.Append("{{ config(tags=['generated', '" + folder + "']) }}\n");
            body.Append("{%- set kinds = ['k0', 'k1', 'k2', 'k3'] %}\n");
            body.Append($"with first as (select * from {{{{ ref('m{parents[0]:0000}') }}}})\n");
            body.Append("select id, amount_cents + {{ var('scale') }} as amount_cents, kind,\n");
            body.Append("  {% for k in kinds -%} case when kind = '{{ k }}' then {{ money('amount_cents') }} else 0 end as {{ k }}_amount{{ ',' if not loop.last }}\n  {% endfor %}\n");
            body.Append("from first\n");
            foreach (var p in parents.Skip(1))
            {
                body.Append($"where id in (select id from {{{{ ref('m{p:0000}') }}}})\n");
                break;
            }
        }

        File.WriteAllText(Path.Combine(dir, "models", folder, $"m{i:0000}.sql"), body.ToString());
        var perModel = tests / models + (i < tests % models ? 1 : 0);
        yaml.Append($"  - name: m{i:0000}\n    description: generated model {i}\n    columns:\n      - name: id\n        tests:\n");
        var kinds = new[] { "unique", "not_null", "accepted_values" };
        for (var t = 0; t < perModel; t++)
        {
            if (t < 2)
            {
                yaml.Append($"          - {kinds[t]}\n");
            }
            else
            {
                yaml.Append($"          - accepted_values:\n              name: accepted_{i}_{t}\n              values: [{string.Join(", ", Enumerable.Range(0, 5).Select(v => v + t))}]\n              quote: false\n              config:\n                severity: warn\n");
            }

            testCount++;
        }
    }

    File.WriteAllText(Path.Combine(dir, "models", "schema.yml"), yaml.ToString());
    return (models, testCount);
}

static void GenerateTrivial(string dir, int count)
{
    Directory.CreateDirectory(Path.Combine(dir, "models"));
    File.WriteAllText(Path.Combine(dir, "dbt_project.yml"), "name: bench\nprofile: bench\nconfig-version: 2\n");
    Profile(dir);
    for (var i = 0; i < count; i++)
    {
        File.WriteAllText(Path.Combine(dir, "models", $"m{i:0000}.sql"), $"select {i} as id, 'x' as label");
    }
}

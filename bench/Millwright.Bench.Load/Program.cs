using System.Diagnostics;
using System.Globalization;
using Millwright.Bench.Load;
using Millwright.Warehouse;

// Bulk-load throughput: the same deterministic telemetry loaded through Millwright's record-stream path
// (DuckDB appender, PostgreSQL binary COPY) and through each engine's own native CSV path, in one run.
var rows = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
const int Seed = 20261124;
var outDir = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../out"));
Directory.CreateDirectory(outDir);
var csv = Path.Combine(outDir, $"telemetry-{rows}-{Seed}.csv");
var culture = CultureInfo.InvariantCulture;

Console.WriteLine($"Millwright bulk-load benchmark: {rows:N0} telemetry rows, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
if (!File.Exists(csv))
{
    var gen = Stopwatch.StartNew();
    TelemetryGenerator.WriteCsv(csv + ".tmp", rows, Seed);
    File.Move(csv + ".tmp", csv);
    Console.WriteLine($"generated {csv} ({new FileInfo(csv).Length / 1e6:N0} MB) in {gen.Elapsed.TotalSeconds:N1} s");
}

var results = new List<(string Engine, string Path, double Seconds, long Rows, string Check)>();
var columnsDuck = string.Join(", ", TelemetryGenerator.Columns.Select(c => $"'{c.Name}': '{(c.Sql == "DOUBLE PRECISION" ? "DOUBLE" : c.Sql)}'"));
var target = RelationName.Of("bench", "telemetry");
const string CheckSql = "SELECT count(*) || ' rows, odometer sum ' || round(sum(odometer_km)) || ', faults ' || count(fault_code) FROM bench.telemetry";

async Task<(double, long, string)> Measure(IWarehouse warehouse, Func<Task<long>> load)
{
    await warehouse.ExecuteAsync("DROP SCHEMA IF EXISTS bench CASCADE");
    await warehouse.ExecuteAsync("CREATE SCHEMA bench");
    var createColumns = string.Join(", ", TelemetryGenerator.Columns.Select(c => $"{c.Name} {c.Sql}"));
    await warehouse.ExecuteAsync($"CREATE TABLE bench.telemetry ({createColumns})");
    var watch = Stopwatch.StartNew();
    var loaded = await load();
    var seconds = watch.Elapsed.TotalSeconds;
    var check = Convert.ToString(await warehouse.QueryScalarAsync(CheckSql), culture)!;
    return (seconds, loaded, check);
}

async Task Run(string engine, IWarehouse warehouse, string nativeName, Func<Task<long>> native)
{
    foreach (var (name, load) in new (string, Func<Task<long>>)[]
    {
        (nativeName, native),
        ("Millwright bulk load (CSV parsed by CsvHelper -> record stream)", () => warehouse.BulkLoadAsync(target, new CsvReadingReader(csv), new BulkLoadOptions { CreateIfMissing = false })),
        ("Millwright bulk load (in-memory record stream)", () => warehouse.BulkLoadAsync(target, new GeneratedReader(rows, Seed), new BulkLoadOptions { CreateIfMissing = false })),
    })
    {
        var (seconds, loaded, check) = await Measure(warehouse, load);
        results.Add((engine, name, seconds, loaded, check));
        Console.WriteLine($"  {engine,-10} {name,-66} {seconds,8:N2} s  {loaded / seconds,14:N0} rows/s   [{check}]");
    }
}

var duckPath = Path.Combine(outDir, "load-benchmark.duckdb");
File.Delete(duckPath);
File.Delete(duckPath + ".wal");
await using (var duck = Warehouses.Open(WarehouseOptions.DuckDb(duckPath)))
{
    await Run("duckdb", duck, "DuckDB native read_csv (INSERT ... SELECT FROM read_csv)", async () =>
        await duck.ExecuteAsync($"INSERT INTO bench.telemetry SELECT * FROM read_csv('{csv}', header = true, columns = {{{columnsDuck}}})"));
}

var pg = Environment.GetEnvironmentVariable("MILLWRIGHT_TEST_PG");
if (string.IsNullOrEmpty(pg))
{
    Console.WriteLine("  postgres   skipped: MILLWRIGHT_TEST_PG is not set (bench/run.sh starts a throwaway cluster)");
}
else
{
    await using var postgres = Warehouses.Open(WarehouseOptions.Postgres(pg));
    await Run("postgres", postgres, "PostgreSQL native COPY FROM file (FORMAT csv)", async () =>
        await postgres.ExecuteAsync($"COPY bench.telemetry FROM '{csv}' WITH (FORMAT csv, HEADER true)"));
}

Console.WriteLine();
Console.WriteLine("| engine | path | seconds | rows/s | ratio to native |");
Console.WriteLine("|---|---|---:|---:|---:|");
foreach (var group in results.GroupBy(r => r.Engine))
{
    var native = group.First();
    foreach (var r in group)
    {
        Console.WriteLine($"| {r.Engine} | {r.Path} | {r.Seconds:N2} | {r.Rows / r.Seconds:N0} | {native.Seconds / r.Seconds:N2}x |");
    }

    if (group.Select(r => r.Check).Distinct().Count() != 1)
    {
        Console.WriteLine($"ERROR: {group.Key} paths loaded different data: {string.Join(" / ", group.Select(r => r.Check).Distinct())}");
        return 1;
    }
}

Console.WriteLine();
Console.WriteLine("Rerun: bench/run.sh [ROWS]   (Release build; starts a throwaway PostgreSQL 15 cluster)");
return 0;

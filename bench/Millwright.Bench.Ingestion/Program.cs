using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Extraction;
using Millwright.Ingestion.Files;
using Millwright.Warehouse;
using Millwright.Web;
using Millwright.Workspace;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

// Usage: Millwright.Bench.Ingestion [CSV_ROWS] [STREAM_ROWS] [EXTRACT_ROWS]; PostgreSQL from MILLWRIGHT_TEST_PG.
var csvRows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
var streamRows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000_000;
var extractRows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;
var pg = Environment.GetEnvironmentVariable("MILLWRIGHT_TEST_PG");
var root = Directory.CreateTempSubdirectory("mw-bench-ingest-").FullName;
Console.WriteLine($"Command: bench/run-ingestion.sh {csvRows} {streamRows} {extractRows}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

var telemetry = new DataContract("telemetry", 1,
[
    new ContractColumn("vehicle_id", ColumnType.Integer) { Nullable = false, Min = 1 },
    new ContractColumn("ts", ColumnType.Timestamp) { Nullable = false },
    new ContractColumn("odometer_km", ColumnType.Double) { Nullable = false, Min = 0 },
    new ContractColumn("speed_kmh", ColumnType.Double) { Min = 0, Max = 250 },
    new ContractColumn("battery_soc", ColumnType.Double) { Min = 0, Max = 100 },
    new ContractColumn("battery_temp_c", ColumnType.Double) { Min = -40, Max = 90 },
    new ContractColumn("motor_temp_c", ColumnType.Double) { Min = -40, Max = 200 },
    new ContractColumn("fault_code", ColumnType.String) { Pattern = "P[0-9A-F]{4}" },
])
{ Format = new FileFormat { Delimiter = "," }, MaxRejectedFraction = 0.01 };

try
{
    // 1. A telemetry CSV under its contract, against DuckDB's plain read_csv of the same file; then a file where one row
    //    in a thousand breaks the contract (half a wrong type, half out of range), against read_csv of that file.
    var csv = Path.Combine(root, "telemetry.csv");
    var dirty = Path.Combine(root, "telemetry-dirty.csv");
    await using (var generator = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(root, "gen.duckdb"))))
    {
        foreach (var (file, speed) in new[]
        {
            (csv, "round(hash(i) % 1300 / 10.0, 1)"),
            (dirty, "CASE WHEN hash(i * 37) % 2000 = 0 THEN '999' WHEN hash(i * 41) % 2000 = 0 THEN 'fast' ELSE CAST(round(hash(i) % 1300 / 10.0, 1) AS VARCHAR) END"),
        })
        {
            await generator.ExecuteAsync($"""
                COPY (SELECT 1 + i % 500 AS vehicle_id, TIMESTAMP '2026-01-01' + to_seconds(i) AS ts, round(i / 500 * 0.8, 1) AS odometer_km,
                             {speed} AS speed_kmh, round(hash(i * 7) % 1000 / 10.0, 1) AS battery_soc,
                             round(hash(i * 13) % 600 / 10.0, 1) AS battery_temp_c, round(hash(i * 17) % 1200 / 10.0, 1) AS motor_temp_c,
                             CASE WHEN hash(i * 31) % 997 = 0 THEN 'P0A80' END AS fault_code
                      FROM range({csvRows}) t(i)) TO '{file}' (HEADER, DELIMITER ',')
                """);
        }
    }

    Console.WriteLine($"\n## Telemetry CSV: {csvRows:N0} rows, {new FileInfo(csv).Length / 1e6:N0} MB\n\n| path | seconds | rows/s | ratio to native |\n|---|---:|---:|---:|");
    async Task<double> NativeAsync(string file, string label)
    {
        await using var duck = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(root, $"native-{Guid.NewGuid():N}.duckdb")));
        var clock = Stopwatch.StartNew();
        await duck.ExecuteAsync($"CREATE TABLE telemetry AS SELECT * FROM read_csv('{file}')");
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"| {label} | {seconds:0.00} | {csvRows / seconds:N0} | 1.00x |");
        return seconds;
    }

    async Task IngestAsync(string file, string? raw, double native, string label)
    {
        await using var duck = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(root, $"ingest-{Guid.NewGuid():N}.duckdb")));
        var clock = Stopwatch.StartNew();
        var steps = new List<string>();
        var load = await new FileIngestor(duck, new IngestionOptions { RawLayerPath = raw, OnStep = (name, took) => steps.Add($"{name} {took.TotalSeconds:0.00}s") }).IngestAsync(file, telemetry);
        var seconds = clock.Elapsed.TotalSeconds;
        if (load.Status != LoadStatus.Success || load.RowsRead != csvRows)
        {
            throw new InvalidOperationException($"load {load.Status}: {load.Error}");
        }

        Console.WriteLine($"| {label} ({load.RowsRejected:N0} rejected; {string.Join(", ", steps)}) | {seconds:0.00} | {csvRows / seconds:N0} | {native / seconds:0.00}x |");
    }

    var native = await NativeAsync(csv, "DuckDB native read_csv (CREATE TABLE AS SELECT * FROM read_csv, types detected)");
    await IngestAsync(csv, null, native, "Millwright ingest: contract (types, ranges, pattern), quarantine, audit");
    await IngestAsync(csv, Path.Combine(root, "raw"), native, "the same, plus the Parquet raw layer copy");
    var nativeDirty = await NativeAsync(dirty, "a file with 0.1 % broken rows: DuckDB native read_csv (speed detected as text)");
    await IngestAsync(dirty, null, nativeDirty, "the same file under the contract (wrong types refused by the reader, ranges checked, all quarantined)");

    // 2. Stream load over loopback.
    var workspace = Path.Combine(root, "ws");
    Directory.CreateDirectory(Path.Combine(workspace, "pipelines", "shop", "contracts"));
    File.WriteAllText(Path.Combine(workspace, "pipelines", "shop", "contracts", "telemetry.yml"), """
        source: telemetry
        version: 1
        format: {delimiter: ','}
        max_rejected_fraction: 0.01
        columns:
          - {name: vehicle_id, type: integer, nullable: false, min: 1}
          - {name: ts, type: timestamp, nullable: false}
          - {name: odometer_km, type: double, min: 0}
          - {name: speed_kmh, type: double, min: 0, max: 250}
        """);
    var loaded = SettingsLoader.Load(WorkspaceLayout.At(workspace), new Dictionary<string, string> { ["web.port"] = "0" }, new Dictionary<string, string>());
    var app = MillwrightHost.Build(loaded, logging => logging.ClearProviders());
    await using (app)
    {
        await app.StartAsync();
        var accounts = app.Services.GetRequiredService<Millwright.Identity.Accounts>();
        await accounts.CreateUserAsync("loader", "bench password for loader", [Millwright.Identity.AccountRole.Operator]);
        var token = (await accounts.CreateTokenAsync("loader", "bench")).Secret;
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), Timeout = TimeSpan.FromMinutes(10) };
        Console.WriteLine($"\n## Stream load over loopback: {streamRows:N0} rows of CSV in one request\n\n| path | seconds | rows/s |\n|---|---:|---:|");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/ingest/telemetry") { Content = new GeneratedCsv(streamRows) };
        request.Headers.Add("label", "bench-1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        if (!response.IsSuccessStatusCode || !body.Contains($"\"rowsLoaded\":{streamRows}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"stream load {(int)response.StatusCode}: {body}");
        }

        Console.WriteLine($"| PUT /api/ingest/telemetry (body streamed to disk, contract checked, loaded) | {seconds:0.00} | {streamRows / seconds:N0} |");
    }

    // 3. Incremental extraction of changed rows from PostgreSQL into DuckDB.
    if (!string.IsNullOrEmpty(pg))
    {
        var schema = "bench_ops_" + Guid.NewGuid().ToString("N")[..8];
        var source = new NpgsqlConnectionStringBuilder(pg) { SearchPath = schema }.ConnectionString;
        await using (var connection = new NpgsqlConnection(pg))
        {
            await connection.OpenAsync();
            await using var setup = new NpgsqlCommand($"""
                CREATE SCHEMA {schema};
                CREATE TABLE {schema}.readings (id bigint PRIMARY KEY, vehicle_id bigint NOT NULL, recorded_at timestamp NOT NULL, odometer_km double precision, soc double precision, status text, version bigint NOT NULL);
                CREATE TABLE {schema}.change_feed (id bigserial PRIMARY KEY, occurred_at timestamp NOT NULL, "table" text NOT NULL, entity_id bigint NOT NULL, operation text NOT NULL);
                INSERT INTO {schema}.readings SELECT i, 1 + i % 500, timestamp '2026-01-01' + i * interval '1 second', i * 0.1, i % 100, 'OK', 1 FROM generate_series(1, {extractRows}) i;
                INSERT INTO {schema}.change_feed (occurred_at, "table", entity_id, operation) SELECT now(), 'readings', i, 'INSERT' FROM generate_series(1, {extractRows}) i;
                """, connection) { CommandTimeout = 0 };
            await setup.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"\n## Extraction from PostgreSQL into DuckDB: {extractRows:N0} rows\n\n| path | seconds | rows/s |\n|---|---:|---:|");
        await using var duck = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(root, "extract.duckdb")));
        var extractor = new DatabaseExtractor(duck);
        var options = new ExtractionOptions(SourceDatabase.Postgres, source);
        var clock = Stopwatch.StartNew();
        var first = (await extractor.ExtractAsync(options)).Single();
        Console.WriteLine($"| first run: full copy | {clock.Elapsed.TotalSeconds:0.00} | {first.RowsWritten / clock.Elapsed.TotalSeconds:N0} |");
        await using (var connection = new NpgsqlConnection(pg))
        {
            await connection.OpenAsync();
            await using var change = new NpgsqlCommand($"""
                UPDATE {schema}.readings SET status = 'CHECKED', version = 2;
                INSERT INTO {schema}.change_feed (occurred_at, "table", entity_id, operation) SELECT now(), 'readings', id, 'UPDATE' FROM {schema}.readings;
                """, connection) { CommandTimeout = 0 };
            await change.ExecuteNonQueryAsync();
        }

        clock.Restart();
        var second = (await extractor.ExtractAsync(options)).Single();
        var seconds = clock.Elapsed.TotalSeconds;
        if (second.Mode != "change_feed" || second.RowsWritten != extractRows)
        {
            throw new InvalidOperationException($"incremental run was {second.Mode} with {second.RowsWritten} rows");
        }

        Console.WriteLine($"| incremental run: {second.RowsWritten:N0} changed rows by the change feed, replaced in one transaction | {seconds:0.00} | {second.RowsWritten / seconds:N0} |");
        await using (var connection = new NpgsqlConnection(pg))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
    else
    {
        Console.WriteLine("\n(extraction skipped: MILLWRIGHT_TEST_PG is not set; bench/run-ingestion.sh starts a throwaway PostgreSQL)");
    }

    Console.WriteLine($"\nRerun: bench/run-ingestion.sh {csvRows} {streamRows} {extractRows}");
}
finally
{
    Directory.Delete(root, recursive: true);
}

/// <summary>A CSV request body generated as it is sent.</summary>
internal sealed class GeneratedCsv(int rows) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        var buffer = new StringBuilder("vehicle_id,ts,odometer_km,speed_kmh\n");
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < rows; i++)
        {
            buffer.Append(1 + (i % 500)).Append(',').Append(start.AddSeconds(i).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(',')
                .Append((i / 500 * 0.8).ToString("0.0", CultureInfo.InvariantCulture)).Append(',').Append(i % 130).Append('\n');
            if (buffer.Length > 1 << 16)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(buffer.ToString()));
                buffer.Clear();
            }
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(buffer.ToString()));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

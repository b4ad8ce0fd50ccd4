using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Millwright.Operations;
using Millwright.Operations.Data;
using Millwright.Simulation;

// Usage: Millwright.Bench.Simulation [SCALE] [DAYS]
var scale = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 1.0;
var days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 365;
var root = Directory.CreateTempSubdirectory("mw-bench-sim-").FullName;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Command: bench/run-simulation.sh {scale} {days}"));
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; SQLite file under {Path.GetTempPath()}");
var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
try
{
    // 1. The target: a year of the fleet with its workshop, through the use cases, then reconciled.
    var fleet = await RunAsync("fleet", new SimulationOptions { Scale = scale, Days = days, Start = start, Manufacturing = false, Retail = false, DayTransactions = true });
    await using (var store = OperationsStore.Sqlite(fleet.Database))
    {
        var report = await new Reconciliation(store).RunAsync();
        Console.WriteLine($"reconciliation: {report.BalancesChecked} balances, {report.Movements} movements, {report.OrdersChecked} orders: {(report.IsClean ? "no drift" : $"DRIFT in {report.Stock.Count} balances and {report.History.Count} orders")}");
        if (!report.IsClean)
        {
            return 1;
        }
    }

    // 2. Everything: fleet, workshops, plant, shop (files too).
    var all = await RunAsync("all", new SimulationOptions { Scale = scale, Days = days, Start = start, OutputDirectory = Path.Combine(root, "all", "landing"), DayTransactions = true });

    // 3. The engine's own limit: SQLite inserting the same number of rows through one prepared statement in one transaction.
    var floor = RawInserts(Path.Combine(root, "floor.db"), fleet.Rows);
    Console.WriteLine();
    Console.WriteLine("| run | simulated | seconds | rows written | rows/s | service orders | telemetry readings |");
    Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
    foreach (var (name, run) in new[] { ("fleet + workshop", fleet), ("fleet + workshop + plant + shop", all) })
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {scale} x {days} days | {run.Seconds:0.0} | {run.Rows:N0} | {run.Rows / run.Seconds:N0} | {run.Summary.Totals.ServiceOrders:N0} | {run.Summary.Totals.TelemetryReadings:N0} |"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| SQLite prepared INSERT, one transaction (floor) | {fleet.Rows:N0} rows | {floor:0.0} | {fleet.Rows:N0} | {fleet.Rows / floor:N0} | | |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio (fleet + workshop rows/s to the floor): {fleet.Seconds / floor:0.0}x slower, {floor / fleet.Seconds:0.000} of the floor"));
    return 0;
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(root, recursive: true);
}

async Task<(string Database, double Seconds, long Rows, SimulationSummary Summary)> RunAsync(string name, SimulationOptions options)
{
    var database = Path.Combine(root, name, "operations.db");
    var watch = Stopwatch.StartNew();
    var summary = await Simulator.RunAsync(clock => OperationsStore.Sqlite(database, clock), options);
    var seconds = watch.Elapsed.TotalSeconds;
    long rows = 0;
    using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
    {
        connection.Open();
        foreach (var table in OperationsDbContext.TableNames)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM \"{table}\"";
            rows += (long)command.ExecuteScalar()!;
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {seconds:0.0} s, {rows:N0} rows in the operational store, {summary.Totals.ServiceOrders:N0} service orders, {summary.Totals.WorkEvents:N0} work events, {summary.Totals.TelemetryReadings:N0} readings, {summary.Totals.ProductionRuns:N0} production runs, {summary.Totals.ProcessSamples:N0} process samples, {summary.Totals.RetailOrderLines:N0} retail lines"));
    return (database, seconds, rows, summary);
}

static double RawInserts(string path, long rows)
{
    using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
    connection.Open();
    using (var create = connection.CreateCommand())
    {
        create.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, vehicle_id INTEGER NOT NULL, recorded_at TEXT NOT NULL, odometer_km NUMERIC NOT NULL, speed NUMERIC, soc NUMERIC, pack_temp NUMERIC, motor_temp NUMERIC); CREATE INDEX ix_t ON t (vehicle_id, recorded_at);";
        create.ExecuteNonQuery();
    }

    var watch = Stopwatch.StartNew();
    using var transaction = connection.BeginTransaction();
    using var insert = connection.CreateCommand();
    insert.Transaction = transaction;
    insert.CommandText = "INSERT INTO t (vehicle_id, recorded_at, odometer_km, speed, soc, pack_temp, motor_temp) VALUES ($v, $r, $o, $s, $c, $p, $m)";
    string[] names = ["$v", "$r", "$o", "$s", "$c", "$p", "$m"];
    var parameters = names.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
    insert.Prepare();
    var at = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    for (long i = 0; i < rows; i++)
    {
        parameters[0].Value = i % 500;
        parameters[1].Value = at.AddMinutes(i).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        parameters[2].Value = 10_000m + (i * 0.1m);
        parameters[3].Value = 42.5m;
        parameters[4].Value = 66.6m;
        parameters[5].Value = 31.2m;
        parameters[6].Value = 71.9m;
        insert.ExecuteNonQuery();
    }

    transaction.Commit();
    return watch.Elapsed.TotalSeconds;
}

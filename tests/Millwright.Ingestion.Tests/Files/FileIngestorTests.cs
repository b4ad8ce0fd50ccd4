using System.IO.Compression;
using System.Text;
using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Files;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Tests.Files;

public sealed class FileIngestorTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-ingest-").FullName;
    private IWarehouse _warehouse = null!;
    private FileIngestor _ingestor = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DataContract Readings = new("readings", 3,
    [
        new ContractColumn("udi", ColumnType.Integer) { Nullable = false },
        new ContractColumn("product_id", ColumnType.String) { Pattern = "[LMH][0-9]{5}" },
        new ContractColumn("type", ColumnType.String) { Allowed = ["L", "M", "H"] },
        new ContractColumn("air_temperature_k", ColumnType.Double) { Min = 250, Max = 350 },
        new ContractColumn("machine_failure", ColumnType.Integer) { Allowed = ["0", "1"] },
    ])
    {
        PrimaryKey = ["udi"],
        MaxRejectedFraction = 0.5,
        Format = new FileFormat { Delimiter = "," },
    };

    public ValueTask InitializeAsync()
    {
        _warehouse = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(_root, "warehouse.duckdb")));
        _ingestor = new FileIngestor(_warehouse, new IngestionOptions { RawLayerPath = Path.Combine(_root, "raw") });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private string Write(string name, string text, Encoding? encoding = null)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
        return path;
    }

    private async Task<long> CountAsync(string table) => Convert.ToInt64(await _warehouse.QueryScalarAsync($"SELECT count(*) FROM {table}", Ct), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_clean_file_with_bom_and_crlf_lands_typed_with_its_lineage_audit_and_parquet_copy()
    {
        var file = Write("readings.csv", "UDI,Product ID,Type,Air temperature [K],Machine failure\r\n1,M14860,M,298.1,0\r\n2,L47181,L,298.2,1\r\n", new UTF8Encoding(true));

        var load = await _ingestor.IngestAsync(file, Readings, cancellationToken: Ct);

        Assert.True(load.Status == LoadStatus.Success, load.Error);
        Assert.Equal((2L, 2L, 0L, 3), (load.RowsRead, load.RowsLoaded, load.RowsRejected, load.ContractVersion));
        Assert.Equal("air_temperature_k", load.ColumnMapping["Air temperature [K]"]);
        Assert.Equal(298.2, await _warehouse.QueryScalarAsync("SELECT air_temperature_k FROM raw.readings WHERE udi = 2", Ct));
        Assert.Equal(3L, await _warehouse.QueryScalarAsync("SELECT _source_line FROM raw.readings WHERE udi = 2", Ct));
        Assert.Equal(file, await _warehouse.QueryScalarAsync("SELECT DISTINCT l.file FROM raw.readings r JOIN ingest.loads l ON r._load_id = l.load_id", Ct));
        var shown = (await _warehouse.QueryScalarAsync("SELECT DISTINCT CAST(_load_id AS VARCHAR) FROM raw.readings", Ct))!.ToString()!;
        Assert.Equal(load.LoadId, (await _ingestor.GetLoadAsync(shown, Ct))?.LoadId);
        Assert.NotNull(load.ParquetPath);
        Assert.Matches(@"[/\\]raw[/\\]readings[/\\]load_date=\d{4}-\d{2}-\d{2}[/\\][0-9a-f]{32}\.parquet$", load.ParquetPath);
        Assert.Equal(2L, await _warehouse.QueryScalarAsync($"SELECT count(*) FROM read_parquet('{load.ParquetPath}')", Ct));

        var audit = Assert.Single(await _ingestor.GetLoadsAsync("readings", cancellationToken: Ct));
        Assert.Equal((load.LoadId, load.Checksum, LoadStatus.Success, 2L), (audit.LoadId, audit.Checksum, audit.Status, audit.RowsLoaded));
        Assert.Equal(64, audit.Checksum.Length);
    }

    [Fact]
    public async Task The_same_file_twice_is_loaded_once()
    {
        var file = Write("readings.csv", "udi,product_id,type,air_temperature_k,machine_failure\n1,M14860,M,298.1,0\n");
        var first = await _ingestor.IngestAsync(file, Readings, cancellationToken: Ct);
        File.Copy(file, Path.Combine(_root, "copy.csv"));
        var again = await _ingestor.IngestAsync(Path.Combine(_root, "copy.csv"), Readings, cancellationToken: Ct);

        Assert.Equal(LoadStatus.Skipped, again.Status);
        Assert.Equal(first.LoadId, again.SameAsLoadId);
        Assert.Equal(1L, again.RowsLoaded);
        Assert.Equal(1, await CountAsync("raw.readings"));
    }

    [Fact]
    public async Task A_folder_loaded_again_skips_its_old_files_from_their_checksums_without_reading_them()
    {
        var days = Enumerable.Range(1, 3).Select(d => Write($"day{d}.csv", $"udi,product_id,type,air_temperature_k,machine_failure\n{d},M1486{d},M,298.{d},0\n")).ToList();
        var first = await _ingestor.IngestManyAsync(days, Readings, cancellationToken: Ct);
        Assert.All(first, l => Assert.Equal(LoadStatus.Success, l.Status));

        // A new day, and a copy of day 1 under another name: only the new day is read and loaded.
        var steps = new List<string>();
        var watched = new FileIngestor(_warehouse, new IngestionOptions { OnStep = (step, _) => steps.Add(step) });
        days.Add(Write("day4.csv", "udi,product_id,type,air_temperature_k,machine_failure\n4,M14864,M,298.4,0\n"));
        days.Add(Write("day1-again.csv", File.ReadAllText(days[0])));
        var seen = new List<string>();
        var second = await watched.IngestManyAsync(days, Readings, onLoad: l => seen.Add(Path.GetFileName(l.File)), cancellationToken: Ct);

        Assert.Equal([LoadStatus.Skipped, LoadStatus.Skipped, LoadStatus.Skipped, LoadStatus.Success, LoadStatus.Skipped], second.Select(l => l.Status));
        Assert.Equal(first.Select(l => l.LoadId), second.Take(3).Select(l => l.SameAsLoadId));
        Assert.Equal(first[0].LoadId, second[4].SameAsLoadId);
        Assert.Equal(["day1.csv", "day2.csv", "day3.csv", "day4.csv", "day1-again.csv"], seen);
        Assert.Equal(1, steps.Count(s => s == "read"));
        Assert.Equal(4, await CountAsync("raw.readings"));
    }

    [Fact]
    public async Task Rows_that_break_the_contract_go_to_quarantine_with_the_rule_and_line()
    {
        var file = Write("mixed.csv", string.Join("\n",
            "udi,product_id,type,air_temperature_k,machine_failure",
            "1,M14860,M,298.1,0",
            ",L47181,L,298.2,0",
            "3,L47182,X,298.3,0",
            "4,L47183,L,hot,0",
            "5,L47184,L,999,0",
            "6,bad-id,L,298.4,0",
            "1,M14861,M,298.5,0",
            "8,L47185,L,298.6,2",
            "9,H29424,H,,1",
            "10,M14862,M,300,0") + "\n");

        var load = await _ingestor.IngestAsync(file, Readings with { MaxRejectedFraction = 0.9 }, cancellationToken: Ct);

        Assert.Equal(LoadStatus.Success, load.Status);
        Assert.Equal((10L, 3L, 7L), (load.RowsRead, load.RowsLoaded, load.RowsRejected));
        var rows = await _ingestor.GetQuarantineAsync(load.LoadId, cancellationToken: Ct);
        Assert.Equal(
        [
            "3: not_null: udi is missing",
            "4: allowed: type is 'X', not one of L, M, H",
            "5: type: air_temperature_k is not a number: 'hot'",
            "6: range: air_temperature_k is 999, above the maximum 350",
            "7: pattern: product_id 'bad-id' does not match [LMH][0-9]{5}",
            "8: unique: primary key (udi) = (1) repeats line 2",
            "9: allowed: machine_failure is '2', not one of 0, 1",
        ], rows.Select(r => $"{r.Line}: {r.Rule}"));
        Assert.All(rows, r => Assert.Equal(file, r.File));
        Assert.Contains("\"product_id\":\"M14861\"", rows[5].Record, StringComparison.Ordinal);
        Assert.Equal([1L, 9L, 10L], await IdsAsync());
        Assert.Null(await _warehouse.QueryScalarAsync("SELECT air_temperature_k FROM raw.readings WHERE udi = 9", Ct));
    }

    [Fact]
    public async Task Dates_and_timestamps_in_their_own_forms_land_typed_and_values_of_the_wrong_type_are_quarantined_by_column()
    {
        var shifts = new DataContract("shifts", 1,
        [
            new ContractColumn("day", ColumnType.Date) { Format = "%d/%m/%Y" },
            new ContractColumn("started", ColumnType.Timestamp) { Format = "%d/%m/%Y %H:%M" },
            new ContractColumn("ended", ColumnType.Timestamp),
            new ContractColumn("on_time", ColumnType.Boolean),
            new ContractColumn("units", ColumnType.Integer),
        ]) { Format = new FileFormat { Delimiter = ";" }, MaxRejectedFraction = 0.9 };
        var file = Write("shifts.csv", string.Join("\n",
            "day;started;ended;on_time;units",
            "24/11/2026;24/11/2026 06:00;2026-11-24 14:00:00;true;120",
            "31/02/2026;24/11/2026 06:00;2026-11-24 14:00:00;true;120",
            "25/11/2026;25/11/2026 6h;2026-11-25 14:00:00;false;80",
            "26/11/2026;26/11/2026 06:00;2026-11-26 14:00:00;maybe;80",
            "27/11/2026;27/11/2026 06:00;2026-11-27 14:00:00;false;eighty",
            "28/11/2026;28/11/2026 06:00;NA;;") + "\n");

        var load = await _ingestor.IngestAsync(file, shifts, cancellationToken: Ct);

        Assert.Equal((6L, 2L, 4L), (load.RowsRead, load.RowsLoaded, load.RowsRejected));
        Assert.Equal(
        [
            "3: type: day is not a date: '31/02/2026'",
            "4: type: started is not a timestamp: '25/11/2026 6h'",
            "5: type: on_time is not a boolean: 'maybe'",
            "6: type: units is not an integer: 'eighty'",
        ], (await _ingestor.GetQuarantineAsync(load.LoadId, cancellationToken: Ct)).Select(r => $"{r.Line}: {r.Rule}"));
        Assert.Equal("2026-11-24 06:00:00 -> 2026-11-24 14:00:00, 120", await _warehouse.QueryScalarAsync("SELECT strftime(started, '%Y-%m-%d %H:%M:%S') || ' -> ' || strftime(ended, '%Y-%m-%d %H:%M:%S') || ', ' || units FROM raw.shifts WHERE day = DATE '2026-11-24'", Ct));
        Assert.Equal(7L, await _warehouse.QueryScalarAsync("SELECT _source_line FROM raw.shifts WHERE ended IS NULL AND units IS NULL AND on_time IS NULL", Ct));
    }

    [Fact]
    public async Task Rows_after_refused_lines_keep_their_own_line_numbers_across_a_large_file()
    {
        var counter = new DataContract("counter", 1, [new ContractColumn("n", ColumnType.Integer), new ContractColumn("line", ColumnType.Integer)])
        {
            Format = new FileFormat { Delimiter = "," },
        };
        int[] refused = [3, 4, 2049, 2050, 2051, 4097, 6000];
        var lines = Enumerable.Range(2, 6000).Select(line => refused.Contains(line) ? $"x{line},{line}" : $"{line},{line}");
        var file = Write("counter.csv", "n,line\n" + string.Join("\n", lines) + "\n");

        var load = await _ingestor.IngestAsync(file, counter, cancellationToken: Ct);

        Assert.Equal((6000L, 5993L, 7L), (load.RowsRead, load.RowsLoaded, load.RowsRejected));
        Assert.Equal(0L, await _warehouse.QueryScalarAsync("SELECT count(*) FROM raw.counter WHERE _source_line <> line OR n <> line", Ct));
        Assert.Equal(refused.Select(l => (long?)l), (await _ingestor.GetQuarantineAsync(load.LoadId, cancellationToken: Ct)).Select(r => r.Line));
    }

    [Fact]
    public async Task A_raw_table_written_by_an_earlier_version_keeps_its_text_load_id_and_file_per_row()
    {
        await _warehouse.ExecuteAsync(
            """
            CREATE SCHEMA raw;
            CREATE TABLE raw.readings (udi BIGINT, product_id VARCHAR, type VARCHAR, air_temperature_k DOUBLE, machine_failure BIGINT,
              _load_id VARCHAR NOT NULL, _source_file VARCHAR NOT NULL, _source_line BIGINT, _loaded_at TIMESTAMP NOT NULL)
            """, Ct);
        var file = Write("readings.csv", "udi,product_id,type,air_temperature_k,machine_failure\n1,M14860,M,298.1,0\n");

        var load = await _ingestor.IngestAsync(file, Readings, cancellationToken: Ct);

        Assert.True(load.Status == LoadStatus.Success, load.Error);
        Assert.Equal(load.LoadId + " " + file, await _warehouse.QueryScalarAsync("SELECT _load_id || ' ' || _source_file FROM raw.readings", Ct));
    }

    private async Task<List<long>> IdsAsync()
    {
        var ids = new List<long>();
        await using var result = await _warehouse.QueryAsync("SELECT udi FROM raw.readings ORDER BY udi", Ct);
        while (await result.ReadAsync(Ct))
        {
            ids.Add((long)result.GetValue(0)!);
        }

        return ids;
    }

    [Fact]
    public async Task Too_many_rejections_fail_the_load_and_load_nothing()
    {
        await _ingestor.IngestAsync(Write("good.csv", "udi,product_id,type,air_temperature_k,machine_failure\n1,M14860,M,298.1,0\n"), Readings, cancellationToken: Ct);
        var bad = Write("bad.csv", "udi,product_id,type,air_temperature_k,machine_failure\n2,M14860,Q,298.1,0\n3,M14861,Q,298.1,0\n4,M14862,M,298.1,0\n");

        var load = await _ingestor.IngestAsync(bad, Readings, cancellationToken: Ct);

        Assert.Equal(LoadStatus.Failed, load.Status);
        Assert.Contains("2 of 3 rows (66.67%) broke contract readings v3, more than its 50% threshold; nothing was loaded", load.Error, StringComparison.Ordinal);
        Assert.Contains("first: line 2: allowed: type is 'Q'", load.Error, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync("raw.readings"));
        Assert.Equal(2, (await _ingestor.GetQuarantineAsync(load.LoadId, cancellationToken: Ct)).Count);
        Assert.Equal(LoadStatus.Failed, (await _ingestor.GetLoadsAsync("readings", cancellationToken: Ct))[0].Status);
    }

    [Fact]
    public async Task A_truncated_file_quarantines_its_broken_last_line()
    {
        var file = Write("cut.csv", "udi,product_id,type,air_temperature_k,machine_failure\n1,M14860,M,298.1,0\n2,L47181,L,298.2,1\n3,L471");

        var load = await _ingestor.IngestAsync(file, Readings, cancellationToken: Ct);

        Assert.True(load.Status == LoadStatus.Success, load.Error);
        Assert.Equal((2L, 1L), (load.RowsLoaded, load.RowsRejected));
        var row = Assert.Single(await _ingestor.GetQuarantineAsync(load.LoadId, cancellationToken: Ct));
        Assert.Equal(4L, row.Line);
        Assert.StartsWith("parse: MISSING COLUMNS", row.Rule, StringComparison.Ordinal);
        Assert.Equal("3,L471", row.Record);
    }

    [Fact]
    public async Task A_wrong_delimiter_fails_naming_the_missing_columns_and_the_delimiter_read()
    {
        var file = Write("semi.csv", "udi;product_id;type;air_temperature_k;machine_failure\n1;M14860;M;298.1;0\n");

        var load = await _ingestor.IngestAsync(file, Readings, cancellationToken: Ct);

        Assert.Equal(LoadStatus.Failed, load.Status);
        Assert.Contains("semi.csv: the header lacks column(s) udi, product_id, type, air_temperature_k, machine_failure required by contract readings v3", load.Error, StringComparison.Ordinal);
        Assert.Contains("(read with delimiter ',')", load.Error, StringComparison.Ordinal);
        Assert.False(await TableExistsAsync());

        // Without a delimiter in the contract, the engine's sniffer finds it.
        var sniffed = await _ingestor.IngestAsync(file, Readings with { Format = new FileFormat() }, cancellationToken: Ct);
        Assert.Equal(LoadStatus.Success, sniffed.Status);
    }

    private async Task<bool> TableExistsAsync() => await _warehouse.GetRelationAsync(RelationName.Of("raw", "readings"), Ct) is not null;

    [Fact]
    public async Task Bytes_that_are_not_utf8_are_quarantined_by_line_and_latin1_files_are_transcoded()
    {
        var header = "udi,product_id,type,air_temperature_k,machine_failure\n"u8.ToArray();
        var body = Encoding.Latin1.GetBytes("1,M14860,M,298.1,0\n2,L4718\u00e9,L,298.2,1\n3,L47183,L,298.2,1\n");
        var path = Path.Combine(_root, "latin.csv");
        File.WriteAllBytes(path, [.. header, .. body]);

        var load = await _ingestor.IngestAsync(path, Readings, cancellationToken: Ct);
        Assert.True(load.Status == LoadStatus.Success, load.Error);
        Assert.Equal(2L, load.RowsLoaded);
        var row = Assert.Single(await _ingestor.GetQuarantineAsync(load.LoadId, cancellationToken: Ct));
        Assert.Equal(3L, row.Line);
        Assert.StartsWith("parse: INVALID ENCODING", row.Rule, StringComparison.Ordinal);

        var contract = Readings with { Source = "latin", Format = new FileFormat { Delimiter = ",", Encoding = "latin-1" }, Columns = [.. Readings.Columns.Select(c => c.Name == "product_id" ? c with { Pattern = null } : c)] };
        var latin = await _ingestor.IngestAsync(path, contract, cancellationToken: Ct);
        Assert.Equal((LoadStatus.Success, 3L), (latin.Status, latin.RowsLoaded));
        Assert.Equal("L4718\u00e9", await _warehouse.QueryScalarAsync("SELECT product_id FROM raw.latin WHERE udi = 2", Ct));
    }

    [Fact]
    public async Task A_nul_byte_fails_the_load_naming_its_line_and_column_and_utf16_without_a_bom_is_recognised()
    {
        var header = "udi,product_id,type,air_temperature_k,machine_failure\n";
        var nul = Path.Combine(_root, "nul.csv");
        File.WriteAllText(nul, header + "1,M14860,M,298.1,0\n2,L47\u000081,L,298.2,1\n", new UTF8Encoding(false));
        var utf16 = Path.Combine(_root, "utf16.csv");
        File.WriteAllBytes(utf16, Encoding.Unicode.GetBytes(header + "1,M14860,M,298.1,0\n"));
        var withBom = Path.Combine(_root, "bom16.csv");
        File.WriteAllText(withBom, header + "1,M14860,M,298.1,0\n\n\u0000\n", Encoding.Unicode);

        var loads = new List<LoadResult>();
        foreach (var file in new[] { nul, utf16, withBom })
        {
            loads.Add(await _ingestor.IngestAsync(file, Readings, cancellationToken: Ct));
        }

        Assert.All(loads, l => Assert.Equal(LoadStatus.Failed, l.Status));
        Assert.Equal($"{nul}: line 3, column 6: a NUL byte, which text never holds; the file is binary or damaged", loads[0].Error);
        Assert.Contains("line 1, column 2: a NUL byte; the file looks like UTF-16 without a byte order mark: set format.encoding to utf-16", loads[1].Error, StringComparison.Ordinal);
        Assert.Equal($"{withBom}: line 4: a NUL character, which text never holds; the file is binary, damaged or not in utf-16", loads[2].Error);
        Assert.False(await TableExistsAsync());
        Assert.Equal(3, (await _ingestor.GetLoadsAsync("readings", cancellationToken: Ct)).Count(l => l.Status == LoadStatus.Failed));
    }

    [Fact]
    public async Task Encoding_auto_reads_utf8_as_it_is_a_spreadsheet_export_as_windows_1252_and_quarantines_the_damaged_lines_of_a_utf8_file()
    {
        var notes = new DataContract("notes", 1, [new ContractColumn("id", ColumnType.Integer), new ContractColumn("note", ColumnType.String)])
        {
            Format = new FileFormat { Delimiter = ",", Encoding = "auto" },
            MaxRejectedFraction = 0.5,
        };
        var header = "id,note\n"u8.ToArray();
        var exported = Path.Combine(_root, "export.csv");
        File.WriteAllBytes(exported, [.. header, .. System.Text.CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes("1,caf\u00e9 \u20ac5\n2,na\u00efve\n")]);
        var utf8 = Write("utf8.csv", "id,note\n3,caf\u00e9 \u20ac5\n");
        var damaged = Path.Combine(_root, "damaged.csv");
        File.WriteAllBytes(damaged, [.. header, .. "4,caf\u00e9\n"u8.ToArray(), .. Encoding.Latin1.GetBytes("5,na\u00efve\n")]);

        var loads = new List<LoadResult>();
        foreach (var file in new[] { exported, utf8, damaged })
        {
            loads.Add(await _ingestor.IngestAsync(file, notes, cancellationToken: Ct));
        }

        Assert.All(loads, l => Assert.True(l.Status == LoadStatus.Success, l.Error));
        Assert.Equal("1 caf\u00e9 \u20ac5|2 na\u00efve|3 caf\u00e9 \u20ac5|4 caf\u00e9", await _warehouse.QueryScalarAsync("SELECT string_agg(id || ' ' || note, '|' ORDER BY id) FROM raw.notes", Ct));
        var row = Assert.Single(await _ingestor.GetQuarantineAsync(loads[2].LoadId, cancellationToken: Ct));
        Assert.Equal(3L, row.Line);
        Assert.StartsWith("parse: INVALID ENCODING", row.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_that_does_not_match_the_contract_fails_before_loading()
    {
        var extra = Write("extra.csv", "udi,product_id,type,air_temperature_k,machine_failure,operator\n1,M14860,M,298.1,0,ann\n");
        var load = await _ingestor.IngestAsync(extra, Readings, cancellationToken: Ct);
        Assert.Contains("the header has column(s) operator that contract readings v3 does not name", load.Error, StringComparison.Ordinal);
        Assert.Equal(LoadStatus.Success, (await _ingestor.IngestAsync(extra, Readings with { IgnoreExtraColumns = true }, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Json_lines_gzip_and_parquet_files_load_too()
    {
        var jsonl = Write("readings.jsonl", "{\"UDI\": 1, \"Product ID\": \"M14860\", \"Type\": \"M\", \"Air temperature [K]\": 298.1, \"Machine failure\": 0}\n{not json}\n{\"UDI\": 2, \"Product ID\": \"L47181\", \"Type\": \"L\", \"Air temperature [K]\": null, \"Machine failure\": 1}\n");
        var json = await _ingestor.IngestAsync(jsonl, Readings with { Format = new FileFormat { Kind = FileKind.JsonLines } }, cancellationToken: Ct);
        Assert.True(json.Status == LoadStatus.Success, json.Error);
        Assert.Equal((2L, 1L), (json.RowsLoaded, json.RowsRejected));
        Assert.Equal(2L, Assert.Single(await _ingestor.GetQuarantineAsync(json.LoadId, cancellationToken: Ct)).Line);

        var gz = Path.Combine(_root, "more.csv.gz");
        await using (var output = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
        {
            await output.WriteAsync("udi,product_id,type,air_temperature_k,machine_failure\n3,M14863,M,298.1,0\n"u8.ToArray(), Ct);
        }

        Assert.Equal(1L, (await _ingestor.IngestAsync(gz, Readings, cancellationToken: Ct)).RowsLoaded);

        var parquet = Path.Combine(_root, "more.parquet");
        await _warehouse.ExecuteAsync($"COPY (SELECT 4 AS udi, 'H29424' AS product_id, 'H' AS type, 301.5 AS air_temperature_k, 0 AS machine_failure) TO '{parquet}' (FORMAT parquet)", Ct);
        Assert.Equal(1L, (await _ingestor.IngestAsync(parquet, Readings with { Format = new FileFormat { Kind = FileKind.Parquet } }, cancellationToken: Ct)).RowsLoaded);
        Assert.Equal([1L, 2L, 3L, 4L], await IdsAsync());
    }
}

/// <summary>File loads into a PostgreSQL warehouse: DuckDB reads and checks, the rows arrive by binary COPY, in one transaction.</summary>
public sealed class PostgresFileIngestorTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-ingest-pg-").FullName;
    private readonly string _schema = "raw_" + Guid.NewGuid().ToString("N")[..10];
    private IWarehouse _warehouse = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _warehouse = Warehouses.Open(WarehouseOptions.Postgres(Millwright.Testing.TestPostgres.ConnectionString));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _warehouse.ExecuteAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE", CancellationToken.None);
        await _warehouse.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_csv_lands_typed_in_postgresql_with_its_quarantine_audit_and_idempotency()
    {
        var contract = new DataContract("pg_readings", 1,
        [
            new ContractColumn("udi", ColumnType.Integer) { Nullable = false },
            new ContractColumn("type", ColumnType.String) { Allowed = ["L", "M", "H"] },
            new ContractColumn("torque_nm", ColumnType.Double) { Min = 0 },
            new ContractColumn("read_at", ColumnType.Timestamp),
        ])
        {
            Table = $"{_schema}.readings",
            MaxRejectedFraction = 0.5,
            Format = new FileFormat { Delimiter = "," },
        };
        var file = Path.Combine(_root, "readings.csv");
        await File.WriteAllTextAsync(file, "UDI,Type,Torque [Nm],Read at\n1,M,40.5,2026-01-01 08:00:00\n2,X,41,2026-01-01 09:00:00\n3,L,39.25,2026-01-01 10:00:00\n", Ct);
        var ingestor = new FileIngestor(_warehouse);

        // The work folder a killed load left behind (its process gone), and one of a load still running (this process's).
        using (var gone = System.Diagnostics.Process.Start("true")!)
        {
            await gone.WaitForExitAsync(Ct);
            Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"millwright-ingest-{gone.Id}-killed"));
        }

        var running = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"millwright-ingest-{Environment.ProcessId}-running")).FullName;

        var load = await ingestor.IngestAsync(file, contract, cancellationToken: Ct);

        Assert.True(load.Status == LoadStatus.Success, load.Error);
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.GetTempPath(), "millwright-ingest-*"), d => d.EndsWith("-killed", StringComparison.Ordinal));
        Assert.True(Directory.Exists(running));
        Directory.Delete(running);
        Assert.Equal((3L, 2L, 1L), (load.RowsRead, load.RowsLoaded, load.RowsRejected));
        Assert.Equal(39.25, await _warehouse.QueryScalarAsync($"SELECT torque_nm FROM {_schema}.readings WHERE udi = 3", Ct));
        Assert.Equal(4L, await _warehouse.QueryScalarAsync($"SELECT _source_line FROM {_schema}.readings WHERE udi = 3", Ct));
        var row = Assert.Single(await ingestor.GetQuarantineAsync(load.LoadId, cancellationToken: Ct));
        Assert.Equal((3L, "allowed: type is 'X', not one of L, M, H"), (row.Line!.Value, row.Rule));
        Assert.Equal(LoadStatus.Success, (await ingestor.GetLoadAsync(load.LoadId, Ct))!.Status);
        Assert.Equal(LoadStatus.Skipped, (await ingestor.IngestAsync(file, contract, cancellationToken: Ct)).Status);
        Assert.Equal(2L, await _warehouse.QueryScalarAsync($"SELECT count(*) FROM {_schema}.readings", Ct));

        var bad = Path.Combine(_root, "bad.csv");
        await File.WriteAllTextAsync(bad, "UDI,Type,Torque [Nm],Read at\n4,Q,1,2026-01-02 08:00:00\n5,Q,1,2026-01-02 09:00:00\n", Ct);
        var failed = await ingestor.IngestAsync(bad, contract, cancellationToken: Ct);
        Assert.Equal(LoadStatus.Failed, failed.Status);
        Assert.Equal(2L, await _warehouse.QueryScalarAsync($"SELECT count(*) FROM {_schema}.readings", Ct));
        Assert.Equal(2, (await ingestor.GetQuarantineAsync(failed.LoadId, cancellationToken: Ct)).Count);
    }
}

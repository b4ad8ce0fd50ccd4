using Millwright.Ingestion.Contracts;

namespace Millwright.Ingestion.Tests.Contracts;

public sealed class DataContractTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-contract-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string yaml)
    {
        var path = Path.Combine(_root, "contract.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Theory]
    [InlineData("UDI", "udi")]
    [InlineData("Product ID", "product_id")]
    [InlineData("Air temperature [K]", "air_temperature_k")]
    [InlineData("MachineFailure", "machine_failure")]
    [InlineData("Pass/Fail", "pass_fail")]
    [InlineData("\uFEFFEngine HP", "engine_hp")]
    [InlineData("0", "c_0")]
    [InlineData("Température (°C)", "température_c")]
    public void Headers_become_column_names(string header, string expected) => Assert.Equal(expected, ColumnNames.Normalize(header));

    [Fact]
    public void A_contract_file_reads_its_format_columns_rules_and_threshold()
    {
        var contract = DataContract.Load(Write("""
            source: telemetry
            version: 4
            format: {type: tsv, header: false, null_values: ['-'], encoding: latin-1}
            primary_key: [vehicle_id, ts]
            max_rejected_fraction: 0.01
            extra_columns: ignore
            columns:
              - {name: vehicle_id, type: integer, nullable: false}
              - {name: ts, type: timestamp, format: '%d/%m/%Y %H:%M'}
              - {name: soc, type: double, min: 0, max: 100}
              - {name: fault, type: string, allowed: [P0A80, P0AFA], pattern: 'P[0-9A-F]{4}'}
              - {name: line, type: integer, source: line}
            """));

        Assert.Equal(("telemetry", 4, "\t", false), (contract.Source, contract.Version, contract.Format.Delimiter, contract.Format.Header));
        Assert.Equal(["-"], contract.Format.NullValues);
        Assert.Equal(["vehicle_id", "ts"], contract.PrimaryKey);
        Assert.Equal((0.01, true), (contract.MaxRejectedFraction, contract.IgnoreExtraColumns));
        Assert.Equal(("raw", "telemetry"), contract.TableName);
        Assert.Equal((0.0, 100.0), (contract.Columns[2].Min!.Value, contract.Columns[2].Max!.Value));
        Assert.Equal(ColumnSource.Line, contract.Columns[4].Source);
    }

    [Theory]
    [InlineData("source: x\nversion: 1\ncolumns:\n  - {name: a, type: money}\n", "contract.yml:4:21: column a: type 'money' is not string")]
    [InlineData("source: x\nversion: 1\ncolumns:\n  - {name: a, colour: red}\n", "contract.yml:4:15: unknown key 'colour'")]
    [InlineData("source: x\ncolumns:\n  - {name: a}\n", "version must be a whole number from 1")]
    [InlineData("source: x\nversion: 1\ncolumns:\n  - {name: Air Temp}\n", "column 'Air Temp' must be written as air_temp")]
    [InlineData("source: x\nversion: 1\nprimary_key: [b]\ncolumns:\n  - {name: a}\n", "primary key column b is not a column")]
    [InlineData("source: x\nversion: 1\ncolumns:\n  - {name: a, min: low}\n", "contract.yml:4:20: min must be a number")]
    [InlineData("source: x\nversion: 1\ncolumns: [\n", "invalid YAML")]
    [InlineData("source: x\nversion: 1\ncolumns: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n", "contract.yml:3:265: invalid YAML: nested deeper than 256 levels")]
    public void A_bad_contract_names_the_file_line_and_field(string yaml, string expected)
    {
        var e = Assert.Throws<IngestionException>(() => DataContract.Load(Write(yaml)));
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), e.Message);
    }
}

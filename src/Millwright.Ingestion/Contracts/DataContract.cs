using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Millwright.Shared;

namespace Millwright.Ingestion.Contracts;

/// <summary>A column's type, as contracts name it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names are the contract's own type names.")]
public enum ColumnType
{
    String,
    Integer,
    Double,
    Boolean,
    Date,
    Timestamp,
}

/// <summary>Where a column's values come from: the file, the row's line in the file, or a constant given at load.</summary>
public enum ColumnSource
{
    File,
    Line,
    Constant,
}

/// <summary>One column of a contract and the rules its values must keep.</summary>
public sealed record ContractColumn(string Name, ColumnType Type)
{
    public bool Nullable { get; init; } = true;

    public IReadOnlyList<string> Allowed { get; init; } = [];

    public double? Min { get; init; }

    public double? Max { get; init; }

    /// <summary>A regular expression the whole value must match.</summary>
    public string? Pattern { get; init; }

    public ColumnSource Source { get; init; } = ColumnSource.File;

    /// <summary>For dates and timestamps in a fixed form, a DuckDB strptime format such as %d/%m/%Y %H:%M:%S.</summary>
    public string? Format { get; init; }

    public string Description { get; init; } = "";
}

public enum FileKind
{
    Csv,
    JsonLines,
    Parquet,
}

/// <summary>How the source files are written.</summary>
public sealed record FileFormat
{
    public FileKind Kind { get; init; } = FileKind.Csv;

    /// <summary>The field separator; detected by the engine's sniffer when null.</summary>
    public string? Delimiter { get; init; }

    public bool Header { get; init; } = true;

    public string Quote { get; init; } = "\"";

    /// <summary>
    /// utf-8 (default; a BOM is accepted, other bytes are refused line by line), utf-16 (a BOM is read either way),
    /// latin-1, windows-1252, or auto (UTF-8 when the file is, Windows-1252 when no byte above 127 forms a UTF-8 character).
    /// </summary>
    public string Encoding { get; init; } = "utf-8";

    /// <summary>Values read as missing (NULL).</summary>
    public IReadOnlyList<string> NullValues { get; init; } = ["", "NA", "NaN", "nan", "null", "NULL", "N/A"];

    /// <summary>Empty trailing fields on every line (a separator at the end of each line) are ignored.</summary>
    public bool TrailingDelimiters { get; init; }
}

/// <summary>
/// A versioned data contract for one source: its file format, columns with types and rules, primary key, target
/// table and how many rejected rows a load may have before it fails.
/// </summary>
public sealed record DataContract(string Source, int Version, IReadOnlyList<ContractColumn> Columns)
{
    public string Description { get; init; } = "";

    public FileFormat Format { get; init; } = new();

    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>The raw table; raw.{source} by default.</summary>
    public string? Table { get; init; }

    /// <summary>The fraction of rejected rows (0..1) above which the load fails and nothing is loaded.</summary>
    public double MaxRejectedFraction { get; init; } = 0.05;

    /// <summary>Whether columns in the file that the contract does not name are ignored (else the load fails).</summary>
    public bool IgnoreExtraColumns { get; init; }

    public string Where { get; init; } = "";

    public (string Schema, string Name) TableName
    {
        get
        {
            var table = Table ?? $"raw.{Source}";
            var dot = table.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? ("raw", table) : (table[..dot], table[(dot + 1)..]);
        }
    }

    /// <summary>Checks the contract itself; throws naming the field.</summary>
    public DataContract Validate()
    {
        var where = Where.Length > 0 ? Where + ": " : "";
        if (string.IsNullOrWhiteSpace(Source) || ColumnNames.Normalize(Source) != Source)
        {
            throw new IngestionException($"{where}source '{Source}' must be a lower-case name of letters, digits and '_'");
        }

        if (Columns.Count == 0)
        {
            throw new IngestionException($"{where}contract {Source} has no columns");
        }

        foreach (var group in Columns.GroupBy(c => c.Name).Where(g => g.Count() > 1))
        {
            throw new IngestionException($"{where}contract {Source}: column {group.Key} is listed twice");
        }

        foreach (var column in Columns)
        {
            if (ColumnNames.Normalize(column.Name) != column.Name)
            {
                throw new IngestionException($"{where}contract {Source}: column '{column.Name}' must be written as {ColumnNames.Normalize(column.Name)}");
            }

            if (column.Pattern is { } pattern)
            {
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(pattern);
                }
                catch (ArgumentException e)
                {
                    throw new IngestionException($"{where}contract {Source}: column {column.Name}: pattern is not a regular expression: {e.Message}", e);
                }
            }
        }

        foreach (var key in PrimaryKey.Where(k => Columns.All(c => c.Name != k)))
        {
            throw new IngestionException($"{where}contract {Source}: primary key column {key} is not a column");
        }

        if (MaxRejectedFraction is < 0 or > 1)
        {
            throw new IngestionException($"{where}contract {Source}: max_rejected_fraction must be from 0 to 1");
        }

        return this;
    }

    /// <summary>Reads a contract file (YAML); errors name the file, line and column.</summary>
    public static DataContract Load(string file)
    {
        YamlStream yaml;
        try
        {
            using var reader = new StreamReader(file);
            yaml = YamlDocuments.Load(reader);
        }
        catch (YamlException e)
        {
            throw new IngestionException($"{file}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {e.Message}", e);
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new IngestionException($"{file}: a contract is a mapping with source, version and columns");
        }

        string At(YamlNode node) => $"{file}:{node.Start.Line}:{node.Start.Column}";
        YamlNode? Get(YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;
        string? Text(YamlMappingNode map, string key) => Get(map, key) is YamlScalarNode s ? s.Value : null;
        double? Number(YamlMappingNode map, string key)
        {
            var node = Get(map, key);
            return node is null ? null
                : node is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
                : throw new IngestionException($"{At(node)}: {key} must be a number");
        }

        bool Flag(YamlMappingNode map, string key, bool fallback) => Text(map, key)?.ToLowerInvariant() switch
        {
            null => fallback,
            "true" or "yes" => true,
            "false" or "no" => false,
            var other => throw new IngestionException($"{At(Get(map, key)!)}: {key} must be true or false, not '{other}'"),
        };

        IReadOnlyList<string> List(YamlMappingNode map, string key) => Get(map, key) switch
        {
            null => [],
            YamlSequenceNode seq => seq.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList(),
            YamlScalarNode s => [s.Value ?? ""],
            var other => throw new IngestionException($"{At(other)}: {key} must be a list"),
        };

        void Only(YamlMappingNode map, params string[] keys)
        {
            foreach (var (k, _) in map.Children)
            {
                var name = ((YamlScalarNode)k).Value;
                if (!keys.Contains(name))
                {
                    throw new IngestionException($"{At(k)}: unknown key '{name}' (expected one of: {string.Join(", ", keys)})");
                }
            }
        }

        Only(root, "source", "version", "description", "format", "table", "primary_key", "max_rejected_fraction", "extra_columns", "columns");
        var version = Text(root, "version") is { } v && int.TryParse(v, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
            : throw new IngestionException($"{At(Get(root, "version") ?? root)}: version must be a whole number from 1 (raise it whenever the contract changes)");
        var format = new FileFormat();
        if (Get(root, "format") is YamlMappingNode f)
        {
            Only(f, "type", "delimiter", "header", "quote", "encoding", "null_values", "trailing_delimiters");
            format = new FileFormat
            {
                Kind = Text(f, "type") switch
                {
                    null or "csv" or "tsv" => FileKind.Csv,
                    "jsonl" or "json_lines" or "ndjson" => FileKind.JsonLines,
                    "parquet" => FileKind.Parquet,
                    var other => throw new IngestionException($"{At(Get(f, "type")!)}: format type '{other}' is not csv, tsv, jsonl or parquet"),
                },
                Delimiter = Text(f, "delimiter") ?? (Text(f, "type") == "tsv" ? "\t" : null),
                Header = Flag(f, "header", true),
                Quote = Text(f, "quote") ?? "\"",
                Encoding = Text(f, "encoding") ?? "utf-8",
                NullValues = Get(f, "null_values") is null ? new FileFormat().NullValues : List(f, "null_values"),
                TrailingDelimiters = Flag(f, "trailing_delimiters", false),
            };
        }

        var columns = new List<ContractColumn>();
        if (Get(root, "columns") is not YamlSequenceNode columnNodes)
        {
            throw new IngestionException($"{file}: columns must be a list");
        }

        foreach (var node in columnNodes.Children)
        {
            if (node is not YamlMappingNode c)
            {
                throw new IngestionException($"{At(node)}: a column is a mapping with name and type");
            }

            Only(c, "name", "type", "nullable", "allowed", "min", "max", "pattern", "source", "format", "description");
            var name = Text(c, "name") ?? throw new IngestionException($"{At(c)}: a column needs a name");
            var typeText = Text(c, "type") ?? "string";
            var type = typeText.ToLowerInvariant() switch
            {
                "string" or "text" or "varchar" => ColumnType.String,
                "integer" or "int" or "bigint" => ColumnType.Integer,
                "double" or "float" or "number" or "decimal" => ColumnType.Double,
                "boolean" or "bool" => ColumnType.Boolean,
                "date" => ColumnType.Date,
                "timestamp" or "datetime" => ColumnType.Timestamp,
                _ => throw new IngestionException($"{At(Get(c, "type")!)}: column {name}: type '{typeText}' is not string, integer, double, boolean, date or timestamp"),
            };
            columns.Add(new ContractColumn(name, type)
            {
                Nullable = Flag(c, "nullable", true),
                Allowed = List(c, "allowed"),
                Min = Number(c, "min"),
                Max = Number(c, "max"),
                Pattern = Text(c, "pattern"),
                Format = Text(c, "format"),
                Description = Text(c, "description") ?? "",
                Source = Text(c, "source") switch
                {
                    null or "file" => ColumnSource.File,
                    "line" => ColumnSource.Line,
                    "constant" => ColumnSource.Constant,
                    var other => throw new IngestionException($"{At(Get(c, "source")!)}: column {name}: source '{other}' is not file, line or constant"),
                },
            });
        }

        return new DataContract(Text(root, "source") ?? Path.GetFileNameWithoutExtension(file), version, columns)
        {
            Description = Text(root, "description") ?? "",
            Format = format,
            Table = Text(root, "table"),
            PrimaryKey = List(root, "primary_key"),
            MaxRejectedFraction = Number(root, "max_rejected_fraction") ?? 0.05,
            IgnoreExtraColumns = Text(root, "extra_columns") switch
            {
                null or "fail" => false,
                "ignore" => true,
                var other => throw new IngestionException($"{At(Get(root, "extra_columns")!)}: extra_columns must be fail or ignore, not '{other}'"),
            },
            Where = file,
        }.Validate();
    }
}

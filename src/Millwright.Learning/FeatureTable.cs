using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Millwright.Warehouse;

namespace Millwright.Learning;

/// <summary>The layout of a model's input: its numeric and text features in order. Stored with the model in the registry.</summary>
public sealed record FeatureLayout(IReadOnlyList<string> Numeric, IReadOnlyList<string> Categorical)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> All => Numeric.Concat(Categorical);
}

/// <summary>
/// The rows of a feature query, read whole into memory in the order of the model's keys: each row's key values,
/// numeric features (NULL as NaN, a missing value the tree trainers handle), text features, label and split group,
/// and a SHA-256 of every value read, which names the training data in the registry.
/// </summary>
internal sealed class FeatureTable
{
    private FeatureTable(FeatureLayout layout, IReadOnlyList<string> keyNames)
    {
        Layout = layout;
        KeyNames = keyNames;
    }

    public FeatureLayout Layout { get; }

    public IReadOnlyList<string> KeyNames { get; }

    public List<object?[]> Keys { get; } = [];

    public List<float[]> Numeric { get; } = [];

    public List<string[]> Categorical { get; } = [];

    /// <summary>The label: bool, string or float by task; empty when the query has no label (scoring).</summary>
    public List<object> Labels { get; } = [];

    public List<string> Groups { get; } = [];

    public string Hash { get; private set; } = "";

    /// <summary>Rows dropped because their label was NULL.</summary>
    public long UnlabeledRows { get; private set; }

    public int Count => Numeric.Count;

    /// <summary>
    /// Reads <paramref name="sql"/> for <paramref name="model"/>. With <paramref name="layout"/> (scoring) the features
    /// must be those the model was trained on; without it the layout is every column that is not a key, the label, the
    /// split column or excluded. <paramref name="withLabel"/> false reads no label (scoring).
    /// </summary>
    public static async Task<FeatureTable> ReadAsync(IWarehouse warehouse, ModelDefinition model, string sql, FeatureLayout? layout, bool withLabel, CancellationToken cancellationToken)
    {
        var dialect = warehouse.Dialect;
        var ordered = model.Keys.Count > 0
            ? $"SELECT * FROM ({sql}) AS features ORDER BY {string.Join(", ", model.Keys.Select(dialect.QuoteIdentifier))}"
            : sql;
        QueryResult result;
        try
        {
            result = await warehouse.QueryAsync(ordered, cancellationToken).ConfigureAwait(false);
        }
        catch (WarehouseException e)
        {
            throw new LearningException($"model {model.Name}: the feature query failed: {e.Message}", e);
        }

        await using (result.ConfigureAwait(false))
        {
            var columns = result.Columns;
            int Ordinal(string name, string role) =>
                columns.ToList().FindIndex(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)) is var i and >= 0
                    ? i
                    : throw new LearningException($"model {model.Name}: the feature query has no column '{name}' ({role}); its columns: {string.Join(", ", columns.Select(x => x.Name))}");

            var keyOrdinals = model.Keys.Select(k => Ordinal(k, "key")).ToArray();
            var labelOrdinal = withLabel ? Ordinal(model.Label, "label") : -1;
            var groupOrdinal = model.SplitBy is { } split ? Ordinal(split, "split_by") : -1;
            if (layout is null)
            {
                var reserved = new HashSet<string>(model.Keys.Append(model.Label).Concat(model.Exclude).Concat(model.SplitBy is null ? [] : [model.SplitBy]), StringComparer.OrdinalIgnoreCase);
                var numeric = new List<string>();
                var categorical = new List<string>();
                foreach (var column in columns.Where(c => !reserved.Contains(c.Name)))
                {
                    switch (column.Type)
                    {
                        case LogicalType.Boolean or LogicalType.Int16 or LogicalType.Int32 or LogicalType.Int64 or LogicalType.Float32 or LogicalType.Float64 or LogicalType.Decimal:
                            numeric.Add(column.Name);
                            break;
                        case LogicalType.Text:
                            categorical.Add(column.Name);
                            break;
                        default:
                            throw new LearningException($"model {model.Name}: column '{column.Name}' is {column.EngineType}; a feature is a number, a boolean or text: cast it, or list it under keys or exclude");
                    }
                }

                if (numeric.Count + categorical.Count == 0)
                {
                    throw new LearningException($"model {model.Name}: the feature query has no feature columns besides the keys, the label and the excluded columns");
                }

                layout = new FeatureLayout(numeric, categorical);
            }

            var numericOrdinals = layout.Numeric.Select(n => Ordinal(n, "feature")).ToArray();
            var categoricalOrdinals = layout.Categorical.Select(n => Ordinal(n, "feature")).ToArray();
            var table = new FeatureTable(layout, model.Keys);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var text = new StringBuilder();
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                text.Clear();
                object? label = null;
                if (withLabel)
                {
                    var raw = result.GetValue(labelOrdinal);
                    if (raw is null)
                    {
                        table.UnlabeledRows++;
                        continue;
                    }

                    label = model.Task switch
                    {
                        ModelTask.Binary => raw switch
                        {
                            bool b => b,
                            _ => Convert.ToDouble(raw, CultureInfo.InvariantCulture) switch
                            {
                                0 => false,
                                1 => true,
                                var other => throw new LearningException($"model {model.Name}: label '{model.Label}' is {other.ToString(CultureInfo.InvariantCulture)} in row {table.Count + 1}; a binary label is true/false or 1/0"),
                            },
                        },
                        ModelTask.Multiclass => Convert.ToString(raw, CultureInfo.InvariantCulture)!,
                        _ => (float)Convert.ToDouble(raw, CultureInfo.InvariantCulture),
                    };
                    text.Append(Convert.ToString(label, CultureInfo.InvariantCulture)).Append('|');
                }

                var keys = new object?[keyOrdinals.Length];
                for (var i = 0; i < keys.Length; i++)
                {
                    keys[i] = result.GetValue(keyOrdinals[i]);
                    text.Append(Convert.ToString(keys[i], CultureInfo.InvariantCulture)).Append('|');
                }

                var numbers = new float[numericOrdinals.Length];
                for (var i = 0; i < numbers.Length; i++)
                {
                    numbers[i] = result.GetValue(numericOrdinals[i]) switch
                    {
                        null => float.NaN,
                        bool b => b ? 1f : 0f,
                        var v => (float)Convert.ToDouble(v, CultureInfo.InvariantCulture),
                    };
                    text.Append(numbers[i].ToString("R", CultureInfo.InvariantCulture)).Append('|');
                }

                var texts = new string[categoricalOrdinals.Length];
                for (var i = 0; i < texts.Length; i++)
                {
                    texts[i] = Convert.ToString(result.GetValue(categoricalOrdinals[i]), CultureInfo.InvariantCulture) ?? "";
                    text.Append(texts[i]).Append('|');
                }

                hash.AppendData(Encoding.UTF8.GetBytes(text.Append('\n').ToString()));
                table.Keys.Add(keys);
                table.Numeric.Add(numbers);
                table.Categorical.Add(texts);
                if (label is not null)
                {
                    table.Labels.Add(label);
                }

                table.Groups.Add(groupOrdinal >= 0 ? Convert.ToString(result.GetValue(groupOrdinal), CultureInfo.InvariantCulture) ?? "" : table.Count.ToString(CultureInfo.InvariantCulture));
            }

            table.Hash = Convert.ToHexStringLower(hash.GetHashAndReset());
            return table;
        }
    }

    /// <summary>The rows at <paramref name="indexes"/> as ML.NET examples.</summary>
    public List<Example> Examples(IEnumerable<int> indexes) => indexes.Select(Example).ToList();

    public Example Example(int i) => new()
    {
        Numeric = Numeric[i],
        Categorical = Categorical[i],
        Label = Labels.Count > 0 && Labels[i] is bool b && b,
        Class = Labels.Count > 0 && Labels[i] is string s ? s : "",
        Target = Labels.Count > 0 && Labels[i] is float f ? f : 0f,
    };
}

/// <summary>One row as ML.NET reads it; the schema drops the label fields a task does not use.</summary>
internal sealed class Example
{
    public float[] Numeric { get; set; } = [];

    public string[] Categorical { get; set; } = [];

    public bool Label { get; set; }

    public string Class { get; set; } = "";

    public float Target { get; set; }
}

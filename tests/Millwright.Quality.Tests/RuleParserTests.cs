using Millwright.Warehouse;

namespace Millwright.Quality.Tests;

public sealed class RuleParserTests
{
    private static readonly RelationName Table = new("raw", "vehicles");

    private static Dictionary<string, object?> Map(params (string Key, object? Value)[] items) => items.ToDictionary(i => i.Key, i => i.Value);

    private static List<object?> List(params object?[] items) => [.. items];

    [Fact]
    public void Reads_every_dimension_as_written_in_yaml()
    {
        var block = Map(
            ("completeness", List("vin", "model_id")),
            ("uniqueness", List("id", List("vin", "model_year"))),
            ("validity", List(Map(("column", "status"), ("accepted_values", List("ACTIVE", "RETIRED"))), Map(("column", "model_year"), ("min", 2015L), ("max", 2030L)), Map(("column", "vin"), ("pattern", "[A-HJ-NPR-Z0-9]{17}")))),
            ("consistency", List(Map(("column", "model_id"), ("references", "raw.vehicle_models.id")), "odometer_km >= 0")),
            ("accuracy", List("model_year <= 2030")),
            ("timeliness", Map(("column", "updated_at"), ("max_age", "36h"))),
            ("thresholds", Map(("completeness", 0.99), ("uniqueness", 1L))),
            ("blocking", true));

        var rules = RuleParser.Parse(Table, block, "pipelines/fleet/models/_sources.yml: source raw.vehicles")!;

        Assert.Equal(["vin", "model_id"], rules.Required);
        Assert.Equal(2, rules.Keys.Count);
        Assert.Equal(["vin", "model_year"], rules.Keys[1]);
        Assert.Equal(3, rules.Rules.Count(r => r.Dimension == DqDimension.Validity));
        var range = Assert.IsType<RangeRule>(rules.Rules[1]);
        Assert.Equal((2015.0, 2030.0), (range.Min!.Value, range.Max!.Value));
        var reference = Assert.IsType<ReferenceRule>(rules.Rules[3]);
        Assert.Equal((new RelationName("raw", "vehicle_models"), "id"), (reference.Table, reference.TableColumn));
        Assert.Equal("pipelines/fleet/models/_sources.yml: source raw.vehicles: data_quality.consistency[0]", reference.Origin);
        Assert.Equal(new FreshnessRule("updated_at", TimeSpan.FromHours(36)), rules.Timeliness);
        Assert.Equal(1.0, rules.Thresholds[DqDimension.Uniqueness]);
        Assert.True(rules.Blocking);
        Assert.Equal(Enum.GetValues<DqDimension>(), rules.Dimensions);
    }

    [Fact]
    public void False_or_enabled_false_turns_measuring_off_and_an_absent_block_measures_completeness()
    {
        Assert.Null(RuleParser.Parse(Table, false, "x"));
        Assert.Null(RuleParser.Parse(Table, Map(("enabled", false)), "x"));
        Assert.Equal([DqDimension.Completeness], RuleParser.Parse(Table, null, "x")!.Dimensions);
    }

    [Theory]
    [InlineData("threshold", "data_quality.thresholds.validity: 1.5 is not a score between 0 and 1")]
    [InlineData("dimension", "data_quality.thresholds.freshness: not a dimension")]
    [InlineData("setting", "data_quality.valid is not a setting")]
    [InlineData("age", "data_quality.timeliness.max_age: 'soon' is not an age")]
    [InlineData("references", "data_quality.consistency[0].references: 'vehicle_models' is not schema.table.column")]
    [InlineData("pattern", "data_quality.validity[0].pattern: '[A-' is not a regular expression")]
    [InlineData("nothing", "data_quality.validity[0]: the rule on vin says nothing to check")]
    public void Bad_rules_are_refused_with_the_file_and_field(string fault, string expected)
    {
        var block = fault switch
        {
            "threshold" => Map(("thresholds", Map(("validity", 1.5)))),
            "dimension" => Map(("thresholds", Map(("freshness", 0.9)))),
            "setting" => Map(("valid", List("x > 0"))),
            "age" => Map(("timeliness", Map(("column", "updated_at"), ("max_age", "soon")))),
            "references" => Map(("consistency", List(Map(("column", "model_id"), ("references", "vehicle_models"))))),
            "pattern" => Map(("validity", List(Map(("column", "vin"), ("pattern", "[A-"))))),
            _ => Map(("validity", List(Map(("column", "vin"))))),
        };

        var error = Assert.Throws<QualityException>(() => RuleParser.Parse(Table, block, "pipelines/fleet/models/_sources.yml: source raw.vehicles"));
        Assert.StartsWith("pipelines/fleet/models/_sources.yml: source raw.vehicles: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30m", 0.5)]
    [InlineData("12h", 12)]
    [InlineData("2d", 48)]
    [InlineData("1.5 hours", 1.5)]
    public void Ages_read_in_short_and_long_units(string text, double hours) =>
        Assert.Equal(TimeSpan.FromHours(hours), RuleParser.Age(text, "x"));

    [Fact]
    public void Merging_two_declarations_keeps_every_rule_and_the_stricter_limits()
    {
        var first = new TableRules(Table) { Required = ["vin"], Thresholds = new Dictionary<DqDimension, double> { [DqDimension.Completeness] = 0.9 }, Timeliness = new FreshnessRule("updated_at", TimeSpan.FromDays(2)) };
        var second = new TableRules(Table) { Required = ["vin", "plate"], Keys = [["id"]], Thresholds = new Dictionary<DqDimension, double> { [DqDimension.Completeness] = 0.95 }, Timeliness = new FreshnessRule("updated_at", TimeSpan.FromHours(6)), Blocking = true };

        var merged = first.Merge(second);

        Assert.Equal(["vin", "plate"], merged.Required);
        Assert.Single(merged.Keys);
        Assert.Equal(0.95, merged.Thresholds[DqDimension.Completeness]);
        Assert.Equal(TimeSpan.FromHours(6), merged.Timeliness!.MaxAge);
        Assert.True(merged.Blocking);
    }
}

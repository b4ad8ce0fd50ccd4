namespace Millwright.Dashboards.Tests;

public sealed class CardQueryTests
{
    private static readonly DateOnly Today = new(2026, 12, 6);
    private static readonly FilterDefinition[] Filters =
    [
        new("period", "Days", FilterKind.DateRange) { DefaultDays = 30 },
        new("site", "Site", FilterKind.Choice) { OptionsSql = "select 1" },
    ];

    [Fact]
    public void A_chosen_value_is_a_bound_parameter_never_text_in_the_sql()
    {
        var hostile = "WS-LIS' or 1=1; drop table marts.kpi_workshop; --";
        var query = CardQuery.Build("select * from t where {{site:s.site_code}} and {{period:day}}", Filters, Values(("site", hostile)), Today);

        Assert.Equal("select * from t where CAST(s.site_code AS VARCHAR) = $1 and (day >= $2)", query.Sql);
        Assert.Equal([hostile, Today.AddDays(-30)], query.Parameters);
        Assert.DoesNotContain("drop", query.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void A_filter_left_empty_restricts_nothing_and_a_date_range_includes_its_last_day()
    {
        var none = CardQuery.Build("select 1 where {{site:site}}", Filters, FilterValues.None, Today);
        Assert.Equal(("select 1 where 1 = 1", 0), (none.Sql, none.Parameters.Count));

        var range = CardQuery.Build("select 1 where {{period:day}}", Filters, Values(("period_from", "2026-01-01"), ("period_to", "2026-01-31")), Today);
        Assert.Equal("select 1 where (day >= $1 AND day < $2)", range.Sql);
        Assert.Equal([new DateOnly(2026, 1, 1), new DateOnly(2026, 2, 1)], range.Parameters);

        var noDefault = CardQuery.Build("select 1 where {{period:day}}", [new FilterDefinition("period", "Days", FilterKind.DateRange)], FilterValues.None, Today);
        Assert.Equal("select 1 where 1 = 1", noDefault.Sql);
    }

    [Fact]
    public void A_date_that_is_not_one_is_refused_by_name()
    {
        var e = Assert.Throws<DashboardException>(() => CardQuery.Build("select 1 where {{period:day}}", Filters, Values(("period_to", "yesterday")), Today));
        Assert.Equal("period_to: 'yesterday' is not a date (use yyyy-MM-dd)", e.Message);
    }

    private static FilterValues Values(params (string Key, string Value)[] values) => new(values.ToDictionary(v => v.Key, v => v.Value));
}

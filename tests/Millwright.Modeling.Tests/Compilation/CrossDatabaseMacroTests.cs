namespace Millwright.Modeling.Tests.Compilation;

/// <summary>dbt's cross-database macros give the same answers on each engine.</summary>
public abstract class CrossDatabaseMacroTests(Engine engine)
{
    [Fact]
    public async Task Date_string_and_type_macros_agree_across_engines()
    {
        await using var project = TestProject.Create("shop", engine);
        project.Write("seeds/items.csv", "kind,qty,flag\na,1,false\nb,2,true\nc,3,false\na,4,false\n");
        project.Write("models/helpers.sql", """
            select
                cast(cast({{ dbt.dateadd('day', 3, "cast('2026-01-30' as date)") }} as date) as varchar) as plus3,
                cast({{ dbt.datediff("cast('2026-01-01' as date)", "cast('2026-03-01' as date)", 'day') }} as integer) as days,
                cast({{ dbt.datediff("cast('2026-01-15' as date)", "cast('2026-03-01' as date)", 'month') }} as integer) as months,
                cast({{ datediff("cast('2026-01-01 10:00:00' as timestamp)", "cast('2026-01-02 12:00:00' as timestamp)", 'hour') }} as integer) as hours,
                cast(cast({{ dbt.date_trunc('month', "cast('2026-02-17' as date)") }} as date) as varchar) as month_start,
                cast({{ dbt.last_day("cast('2026-02-17' as date)", 'month') }} as varchar) as month_end,
                {{ dbt.concat(["'a'", "'b'", "'c'"]) }} as abc,
                {{ dbt.hash("'x'") }} as hashed,
                {{ dbt.safe_cast("'42'", dbt.type_int()) }} as n,
                {{ dbt.cast_bool_to_text('true') }} as t,
                {{ dbt.split_part("'a-b-c'", "'-'", 2) }} as part,
                {{ dbt.string_literal("it's") }} as quoted,
                {{ dbt.right("'abcdef'", 2) }} as r,
                {{ dbt.position("'c'", "'abc'") }} as pos,
                cast(3 as {{ dbt.type_numeric() }}) as num
            """);
        project.Write("models/aggregates.sql", """
            select
                {{ dbt.listagg('kind', "','", "order by kind") }} as kinds,
                {{ dbt.listagg('kind', "'|'", "order by qty desc", 2) }} as top_two,
                {{ dbt.bool_or('flag') }} as any_flag,
                {{ dbt.any_value('qty') }} is not null as has_value
            from {{ ref('items') }}
            """);

        var summary = await project.RunAsync(DbtCommand.Build);
        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Select(r => r.Message)));

        async Task<string> Text(string column, string model = "helpers") =>
            Convert.ToString(await project.ScalarAsync($"select cast({column} as varchar) from {{schema}}.{model}"), System.Globalization.CultureInfo.InvariantCulture)!;
        Assert.Equal("2026-02-02", await Text("plus3"));
        Assert.Equal("59", await Text("days"));
        Assert.Equal("2", await Text("months"));
        Assert.Equal("26", await Text("hours"));
        Assert.Equal("2026-02-01", await Text("month_start"));
        Assert.Equal("2026-02-28", await Text("month_end"));
        Assert.Equal("abc", await Text("abc"));
        Assert.Equal("9dd4e461268c8034f5c8564e155c67a6", await Text("hashed"));
        Assert.Equal("42", await Text("n"));
        Assert.Equal("true", await Text("t"));
        Assert.Equal("b", await Text("part"));
        Assert.Equal("it's", await Text("quoted"));
        Assert.Equal("ef", await Text("r"));
        Assert.Equal("3", await Text("pos"));
        Assert.Equal("a,a,b,c", await Text("kinds", "aggregates"));
        Assert.Equal("a|c", await Text("top_two", "aggregates"));
        Assert.Equal("true", await Text("any_flag", "aggregates"));
        Assert.Equal("true", await Text("has_value", "aggregates"));
    }

    [Fact]
    public async Task Set_operators_series_spines_and_literal_macros_agree_across_engines()
    {
        await using var project = TestProject.Create("shop", engine);
        project.Write("models/set_ops.sql", """
            select count(*) as n from (
                (select 1 as x union all select 2 union all select 3)
                {{ dbt.except() }}
                (select 2 as x)
            ) e
            union all
            select count(*) from (
                (select 1 as x union all select 2)
                {{ dbt.intersect() }}
                (select 2 as x union all select 4)
            ) i
            """);
        project.Write("models/series.sql", "{{ dbt.generate_series(10) }}");
        project.Write("models/spine.sql", "{{ dbt.date_spine('day', dbt.date(2026, 2, 26), dbt.date(2026, 3, 3)) }}");
        project.Write("models/literals.sql", """
            select
                {{ dbt.cast("'12'", dbt.type_int()) }} as twelve,
                cast({{ dbt.date(2024, 2, 29) }} as varchar) as leap_day,
                case when {{ dbt.equals('1', '1') }} then 'yes' else 'no' end as same,
                {{ dbt.get_powers_of_two(10) }} as powers,
                {{ dbt.get_intervals_between(dbt.date(2026, 1, 1), dbt.date(2026, 1, 31), 'day') }} as days
            """);

        var summary = await project.RunAsync(DbtCommand.Build);
        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Select(r => r.Message)));

        Assert.Equal(2m, await project.NumberAsync("select n from {schema}.set_ops order by n desc limit 1"));
        Assert.Equal(1m, await project.NumberAsync("select n from {schema}.set_ops order by n limit 1"));
        Assert.Equal((10m, 55m), (await project.NumberAsync("select count(*) from {schema}.series"), await project.NumberAsync("select sum(generated_number) from {schema}.series")));
        Assert.Equal(5m, await project.NumberAsync("select count(*) from {schema}.spine"));
        Assert.Equal("2026-03-02", Convert.ToString(await project.ScalarAsync("select cast(cast(max(date_day) as date) as varchar) from {schema}.spine"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(12m, await project.NumberAsync("select twelve from {schema}.literals"));
        Assert.Equal("2024-02-29", await project.ScalarAsync("select leap_day from {schema}.literals"));
        Assert.Equal("yes", await project.ScalarAsync("select same from {schema}.literals"));
        Assert.Equal((4m, 30m), (await project.NumberAsync("select powers from {schema}.literals"), await project.NumberAsync("select days from {schema}.literals")));
    }

    [Fact]
    public async Task A_project_macro_overrides_a_dispatched_implementation()
    {
        await using var project = TestProject.Create("shop", engine);
        project.Write("macros/mine.sql", "{% macro default__concat(fields) -%}concat({{ fields | join(', ') }}){%- endmacro %}\n{% macro duckdb__concat(fields) -%}concat({{ fields | join(', ') }}){%- endmacro %}\n{% macro postgres__concat(fields) -%}concat({{ fields | join(', ') }}){%- endmacro %}");
        project.Write("models/m.sql", "select {{ dbt.concat([\"'x'\", \"'y'\"]) }} as xy");
        await project.RunAsync(DbtCommand.Compile);
        Assert.Contains("concat('x', 'y')", File.ReadAllText(project.Path_("target", "compiled", "shop", "models", "m.sql")), StringComparison.Ordinal);
    }
}

public sealed class DuckDbCrossDatabaseMacroTests() : CrossDatabaseMacroTests(Engine.DuckDb);

public sealed class PostgresCrossDatabaseMacroTests() : CrossDatabaseMacroTests(Engine.Postgres);

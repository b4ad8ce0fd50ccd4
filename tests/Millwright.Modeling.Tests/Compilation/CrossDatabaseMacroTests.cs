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

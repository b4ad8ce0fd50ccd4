namespace Millwright.Modeling.Tests.Compilation;

/// <summary>
/// The Python modules and helpers dbt gives templates, as real packages use them: datetime and date constructors,
/// itertools, re.compile, pytz, Python sets, toyaml and fromyaml. Expected text is what Python 3 (Jinja2, PyYAML) gives.
/// </summary>
public sealed class ModulesTests
{
    private static async Task<string[]> CompileAsync(string model)
    {
        await using var project = TestProject.Create("mods", Engine.DuckDb);
        project.Write("models/m.sql", model);
        var summary = await project.RunAsync(DbtCommand.Compile);
        Assert.True(summary.Errored == 0, string.Join("\n", summary.Results.Select(r => r.Message)));
        return File.ReadAllText(project.Path_("target", "compiled", "mods", "models", "m.sql")).Split('\n');
    }

    [Fact]
    public async Task Datetime_constructors_itertools_and_compiled_patterns_render_as_in_python()
    {
        var lines = await CompileAsync("""
            {{ modules.datetime.datetime(2026, 3, 1, 8, 30) }}
            {{ modules.datetime.date(2026, 3, 1) }}
            {{ (modules.datetime.datetime(2026, 3, 1) + modules.datetime.timedelta(days=1)).strftime('%Y-%m-%d') }}
            {{ modules.datetime.date.fromisoformat('2026-02-03').isoformat() }}
            {{ modules.itertools.chain([1, 2], [3]) | list }}
            {{ modules.itertools.product(['a', 'b'], [1, 2]) | list }}
            {{ modules.itertools.combinations([1, 2, 3], 2) | list }}
            {{ modules.itertools.permutations([1, 2, 3], 2) | list | length }}
            {% set p = modules.re.compile('o(\\w)', modules.re.IGNORECASE) %}{{ p.findall('Foo bOx') }} {{ p.sub('0', 'Foo') }} {{ p.pattern }} {{ p.search('xOy').group(1) }}
            {{ modules.pytz.utc }} {{ modules.pytz.timezone('Europe/Lisbon').zone }} {{ modules.datetime.datetime.now(modules.pytz.utc).year > 2000 }}
            """);

        Assert.Equal(
        [
            "2026-03-01 08:30:00",
            "2026-03-01",
            "2026-03-02",
            "2026-02-03",
            "[1, 2, 3]",
            "[('a', 1), ('a', 2), ('b', 1), ('b', 2)]",
            "[(1, 2), (1, 3), (2, 3)]",
            "6",
            @"['o', 'x'] F0 o(\w) y",
            "UTC Europe/Lisbon True",
        ], lines.Take(10));
    }

    [Fact]
    public async Task Sets_compare_without_order_and_have_pythons_methods()
    {
        var lines = await CompileAsync("""
            {{ set([1, 2, 2, 3]) == set([3, 2, 1]) }} {{ set([1, 2]).issubset([1, 2, 3]) }} {{ set([1, 2]).union([4]) | list | length }} {{ set([1, 2, 3]).difference([2]) | list | sort }} {{ set(['a']) | length }}
            {{ set([1, 2]) == set([1, 3]) }} {{ set([1, 2]).issuperset([2]) }} {{ set([1]).isdisjoint([2]) }} {{ 2 in set([1, 2]) }}
            """);

        Assert.Equal("True True 3 [1, 3] 1", lines[0]);
        Assert.Equal("False True True True", lines[1]);
    }

    [Fact]
    public async Task Fromjson_keeps_integers_integers_and_set_strict_builds_a_set()
    {
        var lines = await CompileAsync("""
            {%- set d = fromjson('{"n": 3, "x": 2.5, "big": 9007199254740993, "l": [1, 2.0]}') -%}
            {{ d['n'] }} {{ d['n'] + 1 }} {{ d['x'] }} {{ d['big'] }} {{ d['l'] }} {{ set_strict([1, 2, 2]) | length }}
            """);

        Assert.Equal("3 4 2.5 9007199254740993 [1, 2.0] 2", lines[0].Trim());
    }

    [Fact]
    public async Task Toyaml_writes_what_pyyaml_safe_dump_writes_and_fromyaml_reads_it_back()
    {
        var lines = await CompileAsync("""
            {%- set v = {"name": "orders", "tags": ["a", "b"], "meta": {"owner": "ops", "n": 3, "ok": true, "none": none}, "empty": [], "text": "yes", "when": "2026-01-01", "colon": "a: b", "rows": [{"id": 1, "v": "x"}, {"id": 2, "v": "y"}]} -%}
            {{ toyaml(v) | tojson }}
            {{ toyaml(42) | tojson }}
            {{ fromyaml(toyaml(v)) == v }}
            {{ fromyaml('a: [1, 2]\nb: {c: x}')['b']['c'] }} {{ fromyaml(': : :', 'fallback') }}
            """);

        Assert.Equal(@"""name: orders\ntags:\n- a\n- b\nmeta:\n  owner: ops\n  n: 3\n  ok: true\n  none: null\nempty: []\ntext: \u0027yes\u0027\nwhen: \u00272026-01-01\u0027\ncolon: \u0027a: b\u0027\nrows:\n- id: 1\n  v: x\n- id: 2\n  v: y\n""", lines[0]);
        Assert.Equal("\"42\\n...\\n\"", lines[1]);
        Assert.Equal("True", lines[2]);
        Assert.Equal("x fallback", lines[3]);
    }

    [Fact]
    public async Task Generate_schema_alias_and_database_name_can_be_called_and_a_projects_own_can_call_the_default()
    {
        await using var project = TestProject.Create("mods", Engine.DuckDb);
        project.Write("macros/naming.sql", "{% macro generate_schema_name(custom_schema_name, node) -%}\n{{ 'custom_' ~ default__generate_schema_name(custom_schema_name, node) }}\n{%- endmacro %}\n");
        project.Write("models/m.sql", "{{ config(schema='sales') }}\nselect '{{ generate_schema_name('x', model) }}' as s, '{{ generate_alias_name(none, model) }}' as a, '{{ generate_alias_name(' short ', model) }}' as b, '{{ generate_database_name(none, model) }}' as d, '{{ this.schema }}' as t");

        var summary = await project.RunAsync(DbtCommand.Compile);

        Assert.True(summary.Errored == 0, string.Join("\n", summary.Results.Select(r => r.Message)));
        var sql = File.ReadAllText(project.Path_("target", "compiled", "mods", "models", "m.sql"));
        Assert.Equal("select 'custom_main_x' as s, 'm' as a, 'short' as b, 'mods' as d, 'custom_main_sales' as t", sql.Trim());
    }
}

namespace Millwright.Modeling.Templating.Tests;

public sealed class TemplateEngineTests
{
    private readonly TemplateEngine _engine = new();

    [Fact]
    public void A_syntax_error_names_the_file_line_and_column()
    {
        var error = Assert.Throws<TemplateException>(() => _engine.Parse("select 1\nfrom t\nwhere {% if x > %}a{% endif %}", "models/orders.sql"));
        Assert.Equal("models/orders.sql", error.TemplateName);
        Assert.Equal(3, error.Line);
        Assert.Equal(17, error.Column);
        Assert.StartsWith("models/orders.sql:3:17: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_render_error_inside_a_macro_names_where_the_macro_was_written()
    {
        var macros = _engine.Parse("{% macro boom(v) %}\n  {{ v + 'x' }}\n{% endmacro %}", "macros/boom.sql");
        var scope = _engine.CreateScope(resolve: name => name == "boom" ? macros.Macros[0].Bind(_engine.CreateScope()) : new Undefined(name));
        var model = _engine.Parse("select {{ boom(1) }}", "models/m.sql");
        var error = Assert.Throws<TemplateException>(() => model.Render(scope));
        Assert.Equal("macros/boom.sql", error.TemplateName);
        Assert.Equal(2, error.Line);
        Assert.Contains("unsupported operand type(s) for +: 'int' and 'str'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("[", "]")]
    [InlineData("-", "")]
    [InlineData("not ", "")]
    public void An_expression_nested_beyond_the_stack_is_a_template_error_not_a_crash(string open, string close)
    {
        var source = "select\n{{ " + string.Concat(Enumerable.Repeat(open, 200_000)) + "1" + string.Concat(Enumerable.Repeat(close, 200_000)) + " }}";
        var error = Assert.Throws<TemplateException>(() => _engine.Parse(source, "models/deep.sql"));
        Assert.Equal("models/deep.sql", error.TemplateName);
        Assert.Equal(2, error.Line);
        Assert.Contains("nested too deeply", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blocks_nested_beyond_the_stack_are_a_template_error_not_a_crash()
    {
        var source = string.Concat(Enumerable.Repeat("{% if true %}", 100_000)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 100_000));
        var error = Assert.Throws<TemplateException>(() => _engine.Parse(source, "models/deep.sql"));
        Assert.Contains("nested too deeply", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_macro_that_calls_itself_without_end_is_a_template_error_not_a_crash()
    {
        var template = _engine.Parse("{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}\nselect {{ again(0) }}", "models/loop.sql");
        var error = Assert.Throws<TemplateException>(() => template.Render(_engine.CreateScope()));
        Assert.Equal("models/loop.sql", error.TemplateName);
        Assert.Contains("nested too deeply", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Return_makes_a_macro_call_evaluate_to_a_value_not_text()
    {
        var template = _engine.Parse("{% macro cols() %}ignored{{ return(['a', 'b']) }}{% endmacro %}{{ cols() | length }} {{ cols()[1] }}", "t");
        var scope = _engine.CreateScope(new Dictionary<string, object?> { ["return"] = new PyFunction("return", a => throw new ReturnSignal(a.Get(0, "value"))) });
        Assert.Equal("2 b", template.Render(scope));
    }

    [Fact]
    public void Test_and_docs_blocks_are_collected_by_name()
    {
        var template = _engine.Parse("{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} < 0{% endtest %}\n{% docs status %}Order **status**{% enddocs %}", "macros/t.sql");
        Assert.Equal("test_positive", Assert.Single(template.Macros).Name);
        Assert.Equal(["model", "column_name"], template.Macros[0].ParameterNames);
        var docs = Assert.Single(template.Blocks);
        Assert.Equal(("docs", "status"), (docs.Kind, docs.Name));
        Assert.Equal("Order **status**", docs.Render(_engine.CreateScope()));
    }

    [Fact]
    public void Resolver_supplies_names_the_globals_lack_and_undefined_names_render_empty()
    {
        var scope = _engine.CreateScope(new Dictionary<string, object?> { ["a"] = 1L }, name => name == "b" ? 2L : new Undefined(name));
        Assert.Equal("1 2 []", _engine.Parse("{{ a }} {{ b }} [{{ c }}]", "t").Render(scope));
    }

    [Fact]
    public void Unsupported_tags_are_rejected_with_a_reason()
    {
        var error = Assert.Throws<TemplateException>(() => _engine.Parse("{% include 'x.sql' %}", "t"));
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
    }
}

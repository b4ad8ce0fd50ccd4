using System.Text.Json;

namespace Millwright.Modeling.Templating.Tests;

/// <summary>
/// Hundreds of templates whose expected output was produced offline by real Jinja2 configured as dbt configures
/// it (Corpus/generate.py writes Corpus/cases.json). Each case renders here and must match byte for byte, or
/// fail where Jinja2 fails.
/// </summary>
public sealed class CorpusTests
{
    private static readonly Lazy<(PyDict Context, List<CorpusCase> Cases)> Corpus = new(Load);

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Corpus.Value.Cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Renders_like_Jinja2(string name)
    {
        var (context, cases) = Corpus.Value;
        var c = cases.Single(x => x.Name == name);
        var engine = new TemplateEngine();
        var globals = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in JsonValues.Copy(context))
        {
            globals[(string)key] = value;
        }

        if (c.Error is not null)
        {
            Assert.ThrowsAny<TemplateException>(() => engine.Render(c.Template, globals));
            return;
        }

        Assert.Equal(c.Expected, engine.Render(c.Template, globals));
    }

    [Fact]
    public void The_corpus_has_hundreds_of_cases()
    {
        Assert.True(Corpus.Value.Cases.Count >= 500, $"only {Corpus.Value.Cases.Count} cases");
    }

    private static (PyDict, List<CorpusCase>) Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Corpus", "cases.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var context = (PyDict)JsonValues.From(document.RootElement.GetProperty("context"))!;
        var cases = new List<CorpusCase>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            var template = item.GetProperty("template").GetString()!;
            var name = item.GetProperty("name").GetString()!;
            if (!seen.Add(name))
            {
                name = template;
                if (!seen.Add(name))
                {
                    continue;
                }
            }

            cases.Add(new CorpusCase(
                name,
                template,
                item.TryGetProperty("expected", out var expected) ? expected.GetString() : null,
                item.TryGetProperty("error", out var error) ? error.GetString() : null));
        }

        return (context, cases);
    }

    private sealed record CorpusCase(string Name, string Template, string? Expected, string? Error);
}

/// <summary>JSON as template values (objects as dicts, arrays as lists, integers as long).</summary>
internal static class JsonValues
{
    public static object? From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new PyDict(element.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, From(p.Value)))),
        JsonValueKind.Array => element.EnumerateArray().Select(From).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>A deep copy, so a case that mutates a list cannot leak into the next.</summary>
    public static PyDict Copy(PyDict source)
    {
        var copy = new PyDict();
        foreach (var (key, value) in source)
        {
            copy[key] = CopyValue(value);
        }

        return copy;
    }

    private static object? CopyValue(object? value) => value switch
    {
        PyDict d => Copy(d),
        List<object?> l => l.Select(CopyValue).ToList(),
        _ => value,
    };
}

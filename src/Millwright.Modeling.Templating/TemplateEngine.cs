using System.Text;

namespace Millwright.Modeling.Templating;

/// <summary>
/// Parses and renders templates. An engine holds the filters, tests and globals every template sees; it is
/// immutable once built and safe to share between threads.
/// </summary>
public sealed class TemplateEngine
{
    public TemplateEngine(IReadOnlyDictionary<string, object?>? extraGlobals = null)
    {
        Filters = Templating.Filters.Create();
        Tests = TestFunctions.Create();
        var globals = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["range"] = new PyFunction("range", Builtins.Range),
            ["dict"] = new PyFunction("dict", Builtins.Dict),
            ["namespace"] = new PyFunction("namespace", Builtins.NewNamespace),
            ["cycler"] = new PyFunction("cycler", a => new Cycler(a.Positional)),
            ["joiner"] = new PyFunction("joiner", a => Builtins.Joiner(a.Get(0, "sep", ", "))),
        };
        foreach (var (name, value) in extraGlobals ?? new Dictionary<string, object?>())
        {
            globals[name] = value;
        }

        Globals = globals;
    }

    /// <summary>dbt's return(value): the macro being called evaluates to value instead of its text.</summary>
    public static IPyCallable ReturnFunction { get; } = new PyFunction("return", a => throw new ReturnSignal(a.Get(0, "value")));

    internal Dictionary<string, Filter> Filters { get; }

    internal Dictionary<string, TestFunction> Tests { get; }

    internal IReadOnlyDictionary<string, object?> Globals { get; }

    /// <summary>Parses a template; <paramref name="name"/> (usually a file path) appears in error messages.</summary>
    public Template Parse(string source, string name)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new Template(name, Parser.Parse(source, name, this));
    }

    /// <summary>A scope of globals for renders and macro bindings; <paramref name="resolve"/> is asked for names not found.</summary>
    public TemplateScope CreateScope(IReadOnlyDictionary<string, object?>? globals = null, Func<string, object?>? resolve = null) =>
        new(new Frame(this, globals, resolve));

    /// <summary>Parses one expression ("ref('x')") to evaluate for its value, not its text, as often as needed.</summary>
    public TemplateExpression ParseExpression(string expression, string name)
    {
        var body = Parser.Parse("{{ " + expression + " }}", name, this);
        if (body is not [OutputStmt output])
        {
            throw new TemplateException($"'{expression}' is not a single expression", name, 1, 1);
        }

        return new TemplateExpression(output.Expression);
    }

    /// <summary>Parses and renders in one step.</summary>
    public string Render(string source, IReadOnlyDictionary<string, object?>? globals = null, string name = "<string>") =>
        Parse(source, name).Render(CreateScope(globals));
}

/// <summary>A parsed expression.</summary>
public sealed class TemplateExpression
{
    private readonly Expr _expression;

    internal TemplateExpression(Expr expression) => _expression = expression;

    public object? Evaluate(TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return _expression.Evaluate(new Frame(scope.Root));
    }
}

/// <summary>A parsed template.</summary>
public sealed class Template
{
    private readonly List<Stmt> _body;

    internal Template(string name, List<Stmt> body)
    {
        Name = name;
        _body = body;
        Macros = body.OfType<MacroStmt>().Select(m => m.Definition).ToList();
        Blocks = body.OfType<NamedBlockStmt>().Select(b => new TemplateBlock(b)).ToList();
    }

    public string Name { get; }

    /// <summary>The macros defined at the top level (test blocks as test_NAME, materializations as materialization_NAME_ADAPTER).</summary>
    public IReadOnlyList<MacroDefinition> Macros { get; }

    /// <summary>The docs and snapshot blocks at the top level.</summary>
    public IReadOnlyList<TemplateBlock> Blocks { get; }

    /// <summary>Renders with the scope's globals; top-level assignments go to a child scope.</summary>
    public string Render(TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var output = new StringBuilder();
        try
        {
            Stmt.RenderAll(_body, new Frame(scope.Root), output);
        }
        catch (ReturnSignal signal)
        {
            return Py.Str(signal.Value);
        }
        catch (BreakSignal)
        {
            throw new TemplateException("'break' outside a loop", Name, 0, 0);
        }
        catch (ContinueSignal)
        {
            throw new TemplateException("'continue' outside a loop", Name, 0, 0);
        }

        return output.ToString();
    }
}

/// <summary>A named block of a template: {% docs name %} or {% snapshot name %}.</summary>
public sealed class TemplateBlock
{
    private readonly NamedBlockStmt _block;

    internal TemplateBlock(NamedBlockStmt block) => _block = block;

    public string Kind => _block.Kind;

    public string Name => _block.Name;

    public int Line => _block.Line;

    /// <summary>The block's body as a template of its own (a snapshot's query).</summary>
    public Template Body => new(_block.Source, [.. _block.Body]);

    /// <summary>The block's body rendered with the scope's globals.</summary>
    public string Render(TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var output = new StringBuilder();
        Stmt.RenderAll(_block.Body, new Frame(scope.Root), output);
        return output.ToString();
    }
}

internal static class Builtins
{
    public static object? Range(Arguments a)
    {
        long start = 0, stop, step = 1;
        if (a.Positional.Count == 1)
        {
            stop = Py.ToLong(a.Positional[0]);
        }
        else
        {
            start = Py.ToLong(a.Required(0, "start", "range"));
            stop = Py.ToLong(a.Required(1, "stop", "range"));
            if (a.Positional.Count > 2)
            {
                step = Py.ToLong(a.Positional[2]);
            }
        }

        if (step == 0)
        {
            throw new RenderError("range() arg 3 must not be zero");
        }

        var list = new List<object?>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (list.Count >= 100_000)
            {
                throw new RenderError("range too big, maximum length of range is 100000");
            }

            list.Add(i);
        }

        return list;
    }

    public static object? Dict(Arguments a)
    {
        var dict = new PyDict();
        if (a.Positional.Count > 0)
        {
            if (a.Positional[0] is PyDict source)
            {
                foreach (var (key, value) in source)
                {
                    dict[key] = value;
                }
            }
            else
            {
                foreach (var pair in Py.Iterate(a.Positional[0]))
                {
                    var items = Py.ToList(pair);
                    dict[items[0]!] = items[1];
                }
            }
        }

        foreach (var (key, value) in a.Keywords)
        {
            dict[key] = value;
        }

        return dict;
    }

    public static object? NewNamespace(Arguments a)
    {
        var ns = new Namespace();
        if (a.Positional.Count > 0 && a.Positional[0] is PyDict initial)
        {
            foreach (var (key, value) in initial)
            {
                ns.Set(Py.Str(key), value);
            }
        }

        foreach (var (key, value) in a.Keywords)
        {
            ns.Set(key, value);
        }

        return ns;
    }

    public static object? Joiner(object? separator)
    {
        var used = false;
        return new PyFunction("joiner", _ =>
        {
            if (!used)
            {
                used = true;
                return "";
            }

            return separator;
        });
    }
}

internal sealed class Cycler(IReadOnlyList<object?> items) : IPyObject
{
    private int _position;

    public object? GetAttribute(string name) => name switch
    {
        "current" => items[_position],
        "next" => new PyFunction("next", _ =>
        {
            var value = items[_position];
            _position = (_position + 1) % items.Count;
            return value;
        }),
        "reset" => new PyFunction("reset", _ =>
        {
            _position = 0;
            return null;
        }),
        _ => new Undefined(name),
    };
}

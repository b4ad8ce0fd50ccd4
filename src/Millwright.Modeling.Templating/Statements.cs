using System.Runtime.CompilerServices;
using System.Text;

namespace Millwright.Modeling.Templating;

internal abstract class Stmt(string source, int line, int column) : Node(source, line, column)
{
    public abstract void Render(Frame frame, StringBuilder output);

    public static void RenderAll(IReadOnlyList<Stmt> body, Frame frame, StringBuilder output)
    {
        foreach (var stmt in body)
        {
            try
            {
                if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
                {
                    throw new RenderError("blocks nested too deeply to render (a macro or recursive loop without end?)");
                }

                stmt.Render(frame, output);
            }
            catch (Exception e) when (e is not (TemplateException or ControlSignal or OperationCanceledException))
            {
                throw stmt.Locate(e);
            }
        }
    }
}

internal sealed class TextStmt(string s, int l, int c, string text) : Stmt(s, l, c)
{
    public string Text { get; } = text;

    public override void Render(Frame frame, StringBuilder output) => output.Append(Text);
}

internal sealed class OutputStmt(string s, int l, int c, Expr expr) : Stmt(s, l, c)
{
    public Expr Expression => expr;

    public override void Render(Frame frame, StringBuilder output)
    {
        var value = expr.Evaluate(frame);
        if (value is string text)
        {
            output.Append(text);
        }
        else
        {
            output.Append(Py.Str(value));
        }
    }
}

internal sealed class IfStmt(string s, int l, int c, IReadOnlyList<(Expr Test, IReadOnlyList<Stmt> Body)> branches, IReadOnlyList<Stmt>? otherwise) : Stmt(s, l, c)
{
    public override void Render(Frame frame, StringBuilder output)
    {
        foreach (var (test, body) in branches)
        {
            if (Py.Truthy(test.Evaluate(frame)))
            {
                RenderAll(body, frame, output);
                return;
            }
        }

        if (otherwise is not null)
        {
            RenderAll(otherwise, frame, output);
        }
    }
}

/// <summary>An assignment target: a name, a tuple of targets, or an attribute of a namespace.</summary>
internal abstract class Target(string source, int line, int column) : Node(source, line, column)
{
    public abstract void Assign(Frame frame, object? value);
}

internal sealed class NameTarget(string s, int l, int c, string name) : Target(s, l, c)
{
    public string Name { get; } = name;

    public override void Assign(Frame frame, object? value) => frame.Set(Name, value);
}

internal sealed class TupleTarget(string s, int l, int c, IReadOnlyList<Target> items) : Target(s, l, c)
{
    public override void Assign(Frame frame, object? value)
    {
        var values = Py.ToList(value);
        if (values.Count != items.Count)
        {
            throw new TemplateException(
                values.Count > items.Count ? $"too many values to unpack (expected {items.Count})" : $"not enough values to unpack (expected {items.Count}, got {values.Count})",
                Source, Line, Column);
        }

        for (var i = 0; i < items.Count; i++)
        {
            items[i].Assign(frame, values[i]);
        }
    }
}

internal sealed class AttributeTarget(string s, int l, int c, string objectName, string attribute) : Target(s, l, c)
{
    public override void Assign(Frame frame, object? value)
    {
        if (frame.Lookup(objectName) is not Namespace ns)
        {
            throw new TemplateException("cannot assign attribute on non-namespace object", Source, Line, Column);
        }

        ns.Set(attribute, value);
    }
}

internal sealed class SetStmt(string s, int l, int c, Target target, Expr value) : Stmt(s, l, c)
{
    public override void Render(Frame frame, StringBuilder output) => target.Assign(frame, value.Evaluate(frame));
}

internal sealed class SetBlockStmt(string s, int l, int c, Target target, IReadOnlyList<Stmt> body, IReadOnlyList<FilterExpr> filters) : Stmt(s, l, c)
{
    public override void Render(Frame frame, StringBuilder output)
    {
        var inner = new StringBuilder();
        RenderAll(body, frame, inner);
        object? value = inner.ToString();
        foreach (var filter in filters)
        {
            value = filter.Apply(frame, value);
        }

        target.Assign(frame, value);
    }
}

internal sealed class DoStmt(string s, int l, int c, Expr expr) : Stmt(s, l, c)
{
    public override void Render(Frame frame, StringBuilder output) => expr.Evaluate(frame);
}

internal sealed class BreakStmt(string s, int l, int c, bool isBreak) : Stmt(s, l, c)
{
    public override void Render(Frame frame, StringBuilder output) => throw (isBreak ? new BreakSignal() : new ContinueSignal());
}

internal sealed class FilterBlockStmt(string s, int l, int c, IReadOnlyList<FilterExpr> filters, IReadOnlyList<Stmt> body) : Stmt(s, l, c)
{
    public override void Render(Frame frame, StringBuilder output)
    {
        var inner = new StringBuilder();
        RenderAll(body, new Frame(frame), inner);
        object? value = inner.ToString();
        foreach (var filter in filters)
        {
            value = filter.Apply(frame, value);
        }

        output.Append(Py.Str(value));
    }
}

internal sealed class ForStmt(
    string s, int l, int c, Target target, Expr iterable, Expr? condition, IReadOnlyList<Stmt> body, IReadOnlyList<Stmt>? otherwise, bool recursive) : Stmt(s, l, c)
{
    public override void Render(Frame frame, StringBuilder output) => RenderLoop(frame, output, iterable.Evaluate(frame), 1);

    private void RenderLoop(Frame frame, StringBuilder output, object? source, int depth)
    {
        var items = Py.Iterate(source);
        if (condition is not null)
        {
            items = items.Where(item =>
            {
                var probe = new Frame(frame);
                target.Assign(probe, item);
                return Py.Truthy(condition.Evaluate(probe));
            });
        }

        var list = items as IReadOnlyList<object?> ?? items.ToList();
        if (list.Count == 0)
        {
            if (otherwise is not null)
            {
                RenderAll(otherwise, frame, output);
            }

            return;
        }

        var loop = new LoopContext(list, depth, recursive ? (next, d) =>
        {
            var inner = new StringBuilder();
            RenderLoop(frame, inner, next, d);
            return inner.ToString();
        }
        : null);
        for (var i = 0; i < list.Count; i++)
        {
            loop.Index = i;
            var scope = new Frame(frame);
            target.Assign(scope, list[i]);
            scope.Set("loop", loop);
            try
            {
                RenderAll(body, scope, output);
            }
            catch (BreakSignal)
            {
                break;
            }
            catch (ContinueSignal)
            {
            }
        }
    }
}

/// <summary>The loop variable of a for loop.</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items, int depth, Func<object?, int, string>? recurse) : IPyObject, IPyCallable
{
    private object? _lastChanged = new Undefined(null);

    public int Index { get; set; }

    public object? GetAttribute(string name) => name switch
    {
        "index" => (long)Index + 1,
        "index0" => (long)Index,
        "revindex" => (long)(items.Count - Index),
        "revindex0" => (long)(items.Count - Index - 1),
        "first" => Index == 0,
        "last" => Index == items.Count - 1,
        "length" => (long)items.Count,
        "depth" => (long)depth,
        "depth0" => (long)depth - 1,
        "previtem" => Index > 0 ? items[Index - 1] : new Undefined("previtem", "there is no previous item"),
        "nextitem" => Index < items.Count - 1 ? items[Index + 1] : new Undefined("nextitem", "there is no next item"),
        "cycle" => new PyFunction("cycle", args =>
        {
            if (args.Positional.Count == 0)
            {
                throw new RenderError("no items for cycling given");
            }

            return args.Positional[Index % args.Positional.Count];
        }),
        "changed" => new PyFunction("changed", args =>
        {
            var value = new PyTuple(args.Positional);
            if (Py.Equal(value, _lastChanged))
            {
                return false;
            }

            _lastChanged = value;
            return true;
        }),
        _ => new Undefined(name, $"'LoopContext' has no attribute '{name}'"),
    };

    public object? Invoke(Arguments arguments) =>
        recurse is null
            ? throw new RenderError("the loop must have the 'recursive' marker to be called recursively")
            : recurse(arguments.Get(0, "iterable"), depth + 1);
}

/// <summary>A macro as written: its parameters and body, ready to be bound to a scope.</summary>
public sealed class MacroDefinition
{
    internal MacroDefinition(string name, string source, int line, IReadOnlyList<(string Name, Expr? Default)> parameters, IReadOnlyList<Stmt> body, bool usesVarargs, bool usesKwargs, bool usesCaller)
    {
        Name = name;
        Source = source;
        Line = line;
        Parameters = parameters;
        Body = body;
        UsesVarargs = usesVarargs;
        UsesKwargs = usesKwargs;
        UsesCaller = usesCaller;
    }

    public string Name { get; }

    /// <summary>The file the macro was written in.</summary>
    public string Source { get; }

    public int Line { get; }

    public IReadOnlyList<string> ParameterNames => Parameters.Select(p => p.Name).ToList();

    internal IReadOnlyList<(string Name, Expr? Default)> Parameters { get; }

    internal IReadOnlyList<Stmt> Body { get; }

    internal bool UsesVarargs { get; }

    internal bool UsesKwargs { get; }

    internal bool UsesCaller { get; }

    /// <summary>The macro as a callable that sees the globals of <paramref name="scope"/>.</summary>
    public IPyCallable Bind(TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new Macro(this, scope.Root);
    }
}

/// <summary>A macro bound to the frame it was defined in.</summary>
internal sealed class Macro(MacroDefinition definition, Frame closure) : IPyCallable
{
    public MacroDefinition Definition { get; } = definition;

    public object? Invoke(Arguments arguments)
    {
        var d = Definition;
        var frame = new Frame(closure);
        var parameters = d.Parameters;
        if (arguments.Positional.Count > parameters.Count && !d.UsesVarargs)
        {
            throw new RenderError($"macro '{d.Name}' takes not more than {parameters.Count} argument(s)");
        }

        var assigned = new bool[parameters.Count];
        for (var i = 0; i < Math.Min(parameters.Count, arguments.Positional.Count); i++)
        {
            frame.Set(parameters[i].Name, arguments.Positional[i]);
            assigned[i] = true;
        }

        var extra = new PyDict();
        object? caller = null;
        foreach (var (name, value) in arguments.Keywords)
        {
            var index = -1;
            for (var i = 0; i < parameters.Count; i++)
            {
                if (parameters[i].Name == name)
                {
                    index = i;
                    break;
                }
            }

            if (index >= 0)
            {
                if (assigned[index])
                {
                    throw new RenderError($"macro '{d.Name}' got multiple values for argument '{name}'");
                }

                frame.Set(name, value);
                assigned[index] = true;
            }
            else if (name == "caller" && d.UsesCaller)
            {
                caller = value;
            }
            else if (d.UsesKwargs)
            {
                extra[name] = value;
            }
            else
            {
                throw new RenderError($"macro '{d.Name}' takes no keyword argument '{name}'");
            }
        }

        for (var i = 0; i < parameters.Count; i++)
        {
            if (!assigned[i])
            {
                var (name, fallback) = parameters[i];
                frame.Set(name, fallback is null ? new Undefined(name, $"parameter '{name}' was not provided") : fallback.Evaluate(frame));
            }
        }

        frame.Set("varargs", new PyTuple(arguments.Positional.Skip(parameters.Count).ToArray()));
        frame.Set("kwargs", extra);
        if (d.UsesCaller)
        {
            frame.Set("caller", caller ?? new Undefined("caller", "no caller defined"));
        }

        var output = new StringBuilder();
        try
        {
            Stmt.RenderAll(d.Body, frame, output);
        }
        catch (ReturnSignal signal)
        {
            return signal.Value;
        }

        return output.ToString();
    }

    public override string ToString() => $"<Macro '{Definition.Name}'>";
}

internal sealed class MacroStmt(string s, int l, int c, MacroDefinition definition) : Stmt(s, l, c)
{
    public MacroDefinition Definition { get; } = definition;

    public override void Render(Frame frame, StringBuilder output) => frame.Set(Definition.Name, new Macro(Definition, frame));
}

internal sealed class CallBlockStmt(string s, int l, int c, CallExpr call, MacroDefinition callerBody) : Stmt(s, l, c)
{
    public override void Render(Frame frame, StringBuilder output)
    {
        var caller = new Macro(callerBody, frame);
        var target = call.Callee.Evaluate(frame);
        var arguments = call.Args.Evaluate(frame);
        var keywords = new Dictionary<string, object?>(arguments.Keywords, StringComparer.Ordinal) { ["caller"] = caller };
        try
        {
            var result = target switch
            {
                IPyCallable callable => callable.Invoke(new Arguments(arguments.Positional, keywords)),
                Undefined u => throw new RenderError(u.Explain),
                _ => throw new RenderError($"'{Py.TypeName(target)}' object is not callable"),
            };
            output.Append(Py.Str(result));
        }
        catch (Exception e) when (e is not (TemplateException or ControlSignal or OperationCanceledException))
        {
            throw Locate(e);
        }
    }
}

/// <summary>A block the renderer skips but a project reads: docs, snapshot, materialization.</summary>
internal sealed class NamedBlockStmt(string s, int l, int c, string kind, string name, IReadOnlyList<Stmt> body) : Stmt(s, l, c)
{
    public string Kind { get; } = kind;

    public string Name { get; } = name;

    public IReadOnlyList<Stmt> Body { get; } = body;

    public override void Render(Frame frame, StringBuilder output)
    {
    }
}

/// <summary>namespace(): an object whose attributes templates may set.</summary>
internal sealed class Namespace : IPyObject
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    public object? GetAttribute(string name) => _values.TryGetValue(name, out var value) ? value : new Undefined(name, $"'Namespace' has no attribute '{name}'");

    public void Set(string name, object? value) => _values[name] = value;

    public override string ToString() => "<Namespace " + string.Join(", ", _values.Select(kv => $"{kv.Key}={Py.Repr(kv.Value)}")) + ">";
}

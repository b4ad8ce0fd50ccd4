using System.Runtime.CompilerServices;

namespace Millwright.Modeling.Templating;

/// <summary>Where a node came from, so errors can name the file, line and column.</summary>
internal abstract class Node(string source, int line, int column)
{
    public string Source { get; } = source;

    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>Attaches this node's location to an error raised beneath it that has none yet.</summary>
    public Exception Locate(Exception e) => e switch
    {
        TemplateException or ControlSignal or OperationCanceledException => e,
        TemplateRaisedException raised => new TemplateException(raised.Message, Source, Line, Column, raised),
        _ => new TemplateException(e.Message, Source, Line, Column, e),
    };
}

internal abstract class Expr(string source, int line, int column) : Node(source, line, column)
{
    public object? Evaluate(Frame frame)
    {
        try
        {
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw new RenderError("nested too deeply to evaluate (a macro that calls itself without end?)");
            }

            return Eval(frame);
        }
        catch (Exception e) when (e is not (TemplateException or ControlSignal or OperationCanceledException))
        {
            throw Locate(e);
        }
    }

    protected abstract object? Eval(Frame frame);
}

internal sealed class ConstExpr(string s, int l, int c, object? value) : Expr(s, l, c)
{
    public object? Value { get; } = value;

    protected override object? Eval(Frame frame) => Value;
}

internal sealed class NameExpr(string s, int l, int c, string name) : Expr(s, l, c)
{
    public string Name { get; } = name;

    protected override object? Eval(Frame frame) => frame.Lookup(Name);
}

internal sealed class TupleExpr(string s, int l, int c, IReadOnlyList<Expr> items) : Expr(s, l, c)
{
    public IReadOnlyList<Expr> Items { get; } = items;

    protected override object? Eval(Frame frame) => new PyTuple(Items.Select(i => i.Evaluate(frame)).ToArray());
}

internal sealed class ListExpr(string s, int l, int c, IReadOnlyList<Expr> items) : Expr(s, l, c)
{
    protected override object? Eval(Frame frame)
    {
        var list = new List<object?>(items.Count);
        foreach (var item in items)
        {
            list.Add(item.Evaluate(frame));
        }

        return list;
    }
}

internal sealed class DictExpr(string s, int l, int c, IReadOnlyList<(Expr Key, Expr Value)> items) : Expr(s, l, c)
{
    protected override object? Eval(Frame frame)
    {
        var dict = new PyDict();
        foreach (var (key, value) in items)
        {
            var k = key.Evaluate(frame) ?? throw new RenderError("a dict key cannot be None here");
            dict[k] = value.Evaluate(frame);
        }

        return dict;
    }
}

internal sealed class GetAttrExpr(string s, int l, int c, Expr target, string name) : Expr(s, l, c)
{
    public Expr Target { get; } = target;

    public string Name { get; } = name;

    protected override object? Eval(Frame frame) => Py.GetAttr(Target.Evaluate(frame), Name);
}

internal sealed class GetItemExpr(string s, int l, int c, Expr target, Expr key) : Expr(s, l, c)
{
    protected override object? Eval(Frame frame) => Py.GetItem(target.Evaluate(frame), key.Evaluate(frame));
}

internal sealed class SliceExpr(string s, int l, int c, Expr target, Expr? start, Expr? stop, Expr? step) : Expr(s, l, c)
{
    protected override object? Eval(Frame frame) =>
        Py.Slice(target.Evaluate(frame), start?.Evaluate(frame), stop?.Evaluate(frame), step?.Evaluate(frame));
}

/// <summary>The arguments written at a call site.</summary>
internal sealed record CallArgs(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Keywords, Expr? StarArgs, Expr? StarKwargs)
{
    public static readonly CallArgs Empty = new([], [], null, null);

    public Arguments Evaluate(Frame frame, object? first = null, bool hasFirst = false)
    {
        var positional = new List<object?>(Positional.Count + 1);
        if (hasFirst)
        {
            positional.Add(first);
        }

        foreach (var p in Positional)
        {
            positional.Add(p.Evaluate(frame));
        }

        if (StarArgs is not null)
        {
            positional.AddRange(Py.Iterate(StarArgs.Evaluate(frame)));
        }

        var keywords = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in Keywords)
        {
            keywords[name] = value.Evaluate(frame);
        }

        if (StarKwargs is not null)
        {
            if (StarKwargs.Evaluate(frame) is not PyDict extra)
            {
                throw new RenderError("argument after ** must be a mapping");
            }

            foreach (var (key, value) in extra)
            {
                keywords[Py.Str(key)] = value;
            }
        }

        return new Arguments(positional, keywords);
    }
}

internal sealed class CallExpr(string s, int l, int c, Expr callee, CallArgs args) : Expr(s, l, c)
{
    public Expr Callee { get; } = callee;

    public CallArgs Args { get; } = args;

    protected override object? Eval(Frame frame)
    {
        var target = Callee.Evaluate(frame);
        var arguments = Args.Evaluate(frame);
        return target switch
        {
            IPyCallable callable => callable.Invoke(arguments),
            Undefined u => throw new RenderError(u.Explain),
            _ => throw new RenderError($"'{Py.TypeName(target)}' object is not callable"),
        };
    }
}

internal sealed class FilterExpr(string s, int l, int c, Expr? target, string name, Filter filter, CallArgs args) : Expr(s, l, c)
{
    public string Name { get; } = name;

    /// <summary>The filtered expression; null in a filter block, where the block's output is the value.</summary>
    public Expr? Target { get; } = target;

    public object? Apply(Frame frame, object? value) => filter(frame.Engine, value, args.Evaluate(frame));

    protected override object? Eval(Frame frame) => Apply(frame, Target!.Evaluate(frame));
}

internal sealed class TestExpr(string s, int l, int c, Expr target, TestFunction test, CallArgs args, bool negate) : Expr(s, l, c)
{
    protected override object? Eval(Frame frame)
    {
        var result = test(frame.Engine, target.Evaluate(frame), args.Evaluate(frame));
        return negate ? !result : result;
    }
}

internal sealed class UnaryExpr(string s, int l, int c, string op, Expr operand) : Expr(s, l, c)
{
    protected override object? Eval(Frame frame)
    {
        var value = operand.Evaluate(frame);
        return op switch
        {
            "not" => !Py.Truthy(value),
            "-" => Py.Negate(value),
            _ => Py.IsNumber(value) ? Py.Normalize(value is bool b ? (b ? 1L : 0L) : value) : throw new RenderError($"bad operand type for unary +: '{Py.TypeName(value)}'"),
        };
    }
}

internal sealed class BinaryExpr(string s, int l, int c, string op, Expr left, Expr right) : Expr(s, l, c)
{
    protected override object? Eval(Frame frame)
    {
        switch (op)
        {
            case "and":
                {
                    var a = left.Evaluate(frame);
                    return Py.Truthy(a) ? right.Evaluate(frame) : a;
                }

            case "or":
                {
                    var a = left.Evaluate(frame);
                    return Py.Truthy(a) ? a : right.Evaluate(frame);
                }
        }

        var x = left.Evaluate(frame);
        var y = right.Evaluate(frame);
        CheckDefined(x);
        CheckDefined(y);
        return op switch
        {
            "+" => Py.Add(x, y),
            "-" => Py.Subtract(x, y),
            "*" => Py.Multiply(x, y),
            "/" => Py.Divide(x, y),
            "//" => Py.FloorDivide(x, y),
            "%" => Py.Modulo(x, y),
            "**" => Py.Power(x, y),
            _ => throw new RenderError($"unknown operator {op}"),
        };
    }

    private static void CheckDefined(object? value)
    {
        if (value is Undefined u)
        {
            throw new RenderError(u.Explain);
        }
    }
}

internal sealed class ConcatExpr(string s, int l, int c, IReadOnlyList<Expr> parts) : Expr(s, l, c)
{
    protected override object? Eval(Frame frame) => string.Concat(parts.Select(p => Py.Str(p.Evaluate(frame))));
}

internal sealed class CompareExpr(string s, int l, int c, Expr first, IReadOnlyList<(string Op, Expr Operand)> rest) : Expr(s, l, c)
{
    protected override object? Eval(Frame frame)
    {
        var left = first.Evaluate(frame);
        foreach (var (op, operand) in rest)
        {
            var right = operand.Evaluate(frame);
            var ok = op switch
            {
                "==" => Py.Equal(left, right),
                "!=" => !Py.Equal(left, right),
                "<" => Py.Compare(left, right, op) < 0,
                "<=" => Py.Compare(left, right, op) <= 0,
                ">" => Py.Compare(left, right, op) > 0,
                ">=" => Py.Compare(left, right, op) >= 0,
                "in" => Py.Contains(right, left),
                "notin" => !Py.Contains(right, left),
                _ => throw new RenderError($"unknown comparison {op}"),
            };
            if (!ok)
            {
                return false;
            }

            left = right;
        }

        return true;
    }
}

internal sealed class CondExpr(string s, int l, int c, Expr test, Expr then, Expr? otherwise) : Expr(s, l, c)
{
    protected override object? Eval(Frame frame) =>
        Py.Truthy(test.Evaluate(frame)) ? then.Evaluate(frame) : otherwise is null ? new Undefined(null, "the conditional expression evaluated to false and had no else") : otherwise.Evaluate(frame);
}

/// <summary>Break, continue and dbt's return() unwind through the renderer as exceptions.</summary>
internal abstract class ControlSignal : Exception
{
    protected ControlSignal()
    {
    }

    protected ControlSignal(string message)
        : base(message)
    {
    }

    protected ControlSignal(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

internal sealed class BreakSignal : ControlSignal
{
}

internal sealed class ContinueSignal : ControlSignal
{
}

internal sealed class ReturnSignal(object? value) : ControlSignal("return() outside a macro")
{
    public object? Value { get; } = value;
}

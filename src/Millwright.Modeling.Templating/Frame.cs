namespace Millwright.Modeling.Templating;

/// <summary>One scope of variables; lookups walk to the parent and finally to the root resolver.</summary>
internal sealed class Frame
{
    private readonly Dictionary<string, object?> _vars;
    private readonly Func<string, object?>? _resolve;

    public Frame(Frame parent)
    {
        Parent = parent;
        Engine = parent.Engine;
        _vars = new Dictionary<string, object?>(StringComparer.Ordinal);
    }

    public Frame(TemplateEngine engine, IReadOnlyDictionary<string, object?>? globals, Func<string, object?>? resolve)
    {
        Engine = engine;
        _resolve = resolve;
        _vars = globals is null ? new(StringComparer.Ordinal) : new(globals, StringComparer.Ordinal);
    }

    public Frame? Parent { get; }

    public TemplateEngine Engine { get; }

    public object? Lookup(string name)
    {
        for (var frame = this; frame is not null; frame = frame.Parent)
        {
            if (frame._vars.TryGetValue(name, out var value))
            {
                return value;
            }

            if (frame._resolve is not null && frame.Parent is null)
            {
                var resolved = frame._resolve(name);
                if (resolved is not Undefined)
                {
                    return resolved;
                }
            }
        }

        return Engine.Globals.TryGetValue(name, out var global) ? global : new Undefined(name);
    }

    public void Set(string name, object? value) => _vars[name] = value;
}

/// <summary>
/// The variables a render sees: the caller's globals plus a resolver consulted for names not found (for
/// example, macros of a project, bound on first use). Macros bound to a scope see its globals.
/// </summary>
public sealed class TemplateScope
{
    internal TemplateScope(Frame root) => Root = root;

    internal Frame Root { get; }

    /// <summary>Sets a global of this scope.</summary>
    public void Set(string name, object? value) => Root.Set(name, value);

    /// <summary>Looks a name up the way a template would.</summary>
    public object? Lookup(string name) => Root.Lookup(name);
}

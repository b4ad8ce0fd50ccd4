namespace Millwright.Modeling.Templating;

/// <summary>A template that cannot be parsed or rendered, with where it happened.</summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string message, string? templateName, int line, int column, Exception? inner = null)
        : base(message, inner)
    {
        TemplateName = templateName;
        Line = line;
        Column = column;
    }

    public TemplateException()
    {
    }

    public TemplateException(string message)
        : base(message)
    {
    }

    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string? TemplateName { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>The message without the location.</summary>
    public string Reason => base.Message;

    public override string Message => TemplateName is null && Line == 0
        ? base.Message
        : $"{TemplateName ?? "<template>"}:{Line}:{Column}: {base.Message}";
}

/// <summary>An error raised while evaluating, before a location is attached (Python's TypeError and friends).</summary>
internal sealed class RenderError(string message) : Exception(message);

/// <summary>Raised by a template on purpose (dbt's exceptions.raise_compiler_error); carries its message unchanged.</summary>
public sealed class TemplateRaisedException : Exception
{
    public TemplateRaisedException(string message)
        : base(message)
    {
    }

    public TemplateRaisedException()
    {
    }

    public TemplateRaisedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

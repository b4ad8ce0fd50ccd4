namespace Millwright.Modeling;

/// <summary>A project, profile or node that cannot be loaded, compiled or run; the message names the file and, where known, the line.</summary>
public sealed class ModelingException : Exception
{
    public ModelingException(string message)
        : base(message)
    {
    }

    public ModelingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ModelingException()
    {
    }
}

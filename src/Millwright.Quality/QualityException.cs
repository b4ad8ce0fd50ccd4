namespace Millwright.Quality;

/// <summary>A data-quality rule that cannot be read or measured; the message names the file, table and field.</summary>
public sealed class QualityException : Exception
{
    public QualityException(string message)
        : base(message)
    {
    }

    public QualityException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public QualityException()
    {
    }
}

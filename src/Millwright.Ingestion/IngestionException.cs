namespace Millwright.Ingestion;

/// <summary>A contract, file or load that cannot be used, with the file, line, column or field it concerns.</summary>
public sealed class IngestionException : Exception
{
    public IngestionException(string message)
        : base(message)
    {
    }

    public IngestionException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public IngestionException()
    {
    }
}

namespace Millwright.Learning;

/// <summary>A model that cannot be trained or scored: a bad definition, a missing column, a leak, no champion.</summary>
public sealed class LearningException : Exception
{
    public LearningException(string message)
        : base(message)
    {
    }

    public LearningException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public LearningException()
    {
    }

    /// <summary>The definition is sound but the data is too young to train on (too few rows or failures); more history will do.</summary>
    public bool NotEnoughData { get; init; }
}

namespace Millwright.Pipelines;

/// <summary>A pipeline file that cannot be used, with the file, line and column of the problem.</summary>
public sealed class PipelineException : Exception
{
    public PipelineException(string message)
        : base(message)
    {
    }

    public PipelineException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public PipelineException()
    {
    }
}

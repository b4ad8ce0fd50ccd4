namespace Millwright.Orchestration;

/// <summary>A definition, selection, request or stored state the orchestrator refuses, with a message that names it.</summary>
public sealed class OrchestrationException : Exception
{
    public OrchestrationException(string message)
        : base(message)
    {
    }

    public OrchestrationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public OrchestrationException()
    {
    }
}

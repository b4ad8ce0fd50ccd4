namespace Millwright.Workspace;

/// <summary>A setting is missing, malformed or contradictory; the message names the key and where it came from.</summary>
public sealed class SettingsException : Exception
{
    public SettingsException(string message)
        : base(message)
    {
    }

    public SettingsException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public SettingsException()
    {
    }
}

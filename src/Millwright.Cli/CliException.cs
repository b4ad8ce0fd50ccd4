namespace Millwright.Cli;

/// <summary>A failure to report as one line on standard error, with exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);

using System.Data.Common;

namespace Millwright.Workspace;

/// <summary>Validation and masking of ADO.NET connection strings, so secrets are never printed.</summary>
public static class ConnectionStrings
{
    private static readonly string[] SecretKeys = ["password", "pwd", "passfile", "sslpassword", "ssl password", "token"];

    /// <summary>Parses <paramref name="connection"/>; the message of the exception names what is malformed.</summary>
    public static DbConnectionStringBuilder Parse(string connection)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connection;
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"malformed connection string: {e.Message}", e);
        }

        return builder;
    }

    /// <summary>The connection string with every secret value replaced by <c>***</c>.</summary>
    public static string Redact(string connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            return "";
        }

        DbConnectionStringBuilder builder;
        try
        {
            builder = Parse(connection);
        }
        catch (FormatException)
        {
            return "(malformed connection string)";
        }

        // The builder lower-cases the keys; each is shown as the connection string spells it (Host=, not host=).
        var redacted = new System.Text.StringBuilder();
        foreach (var key in builder.Keys.Cast<string>())
        {
            var at = connection.IndexOf(key, StringComparison.OrdinalIgnoreCase);
            var spelled = at >= 0 ? connection.Substring(at, key.Length) : key;
            DbConnectionStringBuilder.AppendKeyValuePair(redacted, spelled, SecretKeys.Contains(key, StringComparer.OrdinalIgnoreCase) ? "***" : Convert.ToString(builder[key], System.Globalization.CultureInfo.InvariantCulture));
        }

        return redacted.ToString();
    }
}

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

        foreach (var key in builder.Keys.Cast<string>().ToList())
        {
            if (SecretKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                builder[key] = "***";
            }
        }

        return builder.ConnectionString;
    }
}

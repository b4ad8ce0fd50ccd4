using System.Text;

namespace Millwright.Ingestion.Contracts;

/// <summary>Turns source headers into column names: lower case letters, digits and '_', e.g. "Air temperature [K]" -> air_temperature_k; letters keep their accents.</summary>
public static class ColumnNames
{
    public static string Normalize(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var text = header.Trim().TrimStart('\uFEFF');
        var builder = new StringBuilder(text.Length);
        var lastUnderscore = true;
        var previous = '\0';
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                // camelCase boundaries become underscores: MachineFailure -> machine_failure; UDI stays udi.
                if (char.IsAsciiLetterUpper(c) && !lastUnderscore && char.IsAsciiLetterLower(previous))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
                lastUnderscore = false;
            }
            else if (!lastUnderscore)
            {
                builder.Append('_');
                lastUnderscore = true;
            }

            previous = c;
        }

        var name = builder.ToString().TrimEnd('_');
        if (name.Length == 0)
        {
            return "column";
        }

        return char.IsAsciiDigit(name[0]) ? "c_" + name : name;
    }
}

using System.Text.Json;

namespace Millwright.Domain;

/// <summary>
/// The one spelling of enum values outside the code: UPPER_SNAKE_CASE, as the workflow is written
/// (OPEN, IN_PROGRESS, ISSUE_TO_ORDER). The database, the API and error messages all use it.
/// </summary>
public static class EnumNames
{
    public static JsonNamingPolicy Policy => JsonNamingPolicy.SnakeCaseUpper;

    public static string Name<TEnum>(this TEnum value) where TEnum : struct, Enum =>
        Policy.ConvertName(value.ToString());

    public static bool TryParse<TEnum>(string? text, out TEnum value) where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(candidate.Name(), text, StringComparison.OrdinalIgnoreCase)
                || string.Equals(candidate.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static TEnum Parse<TEnum>(string text) where TEnum : struct, Enum =>
        TryParse<TEnum>(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not one of {string.Join(", ", Enum.GetValues<TEnum>().Select(v => v.Name()))}");
}

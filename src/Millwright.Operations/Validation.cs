using System.Text.Json;
using Millwright.Domain;

namespace Millwright.Operations;

internal static class Validation
{
    /// <summary>Throws one <see cref="ValidationFailedException"/> with every field error, named as the API spells fields (camelCase).</summary>
    public static void Throw(IEnumerable<(string Field, string Message)> errors, string prefix = "")
    {
        var byField = errors
            .GroupBy(e => prefix + JsonNamingPolicy.CamelCase.ConvertName(e.Field))
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        if (byField.Count > 0)
        {
            throw new ValidationFailedException(byField);
        }
    }

    /// <summary>The store keeps quantities with 4 decimal places; more would be rounded away and show as drift.</summary>
    public const int QuantityScale = 4;

    /// <summary>Units counted in whole pieces: a quantity of them has no fraction.</summary>
    private static readonly HashSet<string> CountUnits = new(StringComparer.OrdinalIgnoreCase) { "EA", "EACH", "PC", "PCS", "PIECE", "UNIT", "SET", "KIT", "PAIR", "BOX", "ROLL" };

    /// <summary>A quantity: positive, with at most <see cref="QuantityScale"/> decimal places.</summary>
    public static void Positive(string field, decimal value)
    {
        if (value <= 0)
        {
            throw ValidationFailedException.For(field, $"must be positive, not {value}");
        }

        if (value != Math.Round(value, QuantityScale))
        {
            throw ValidationFailedException.For(field, $"has more than {QuantityScale} decimal places ({value})");
        }
    }

    /// <summary>A quantity of a part counted in whole pieces (EA, PCS, SET, ...) is a whole number.</summary>
    public static void InUnit(string field, decimal value, string unit)
    {
        if (CountUnits.Contains(unit) && value != decimal.Truncate(value))
        {
            throw ValidationFailedException.For(field, $"must be a whole number of {unit}, not {value}");
        }
    }
}

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

    public static void Positive(string field, decimal value)
    {
        if (value <= 0)
        {
            throw ValidationFailedException.For(field, $"must be positive, not {value}");
        }
    }
}

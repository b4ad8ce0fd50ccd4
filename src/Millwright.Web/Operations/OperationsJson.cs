using System.Text.Json;
using System.Text.Json.Serialization;
using Millwright.Domain;

namespace Millwright.Web.Operations;

/// <summary>The API's JSON: camelCase fields, enums in UPPER_SNAKE_CASE (IN_PROGRESS), unknown fields refused.</summary>
internal static class OperationsJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new EnumNameConverterFactory());
        options.Converters.Add(new PrintableTextConverter());
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.IncludeFields = true;
        options.RespectRequiredConstructorParameters = true;
        options.RespectNullableAnnotations = true;
    }

    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }
}

/// <summary>
/// Text fields take printable characters, tabs and line breaks: a NUL or another control character is refused with
/// the field's name (PostgreSQL cannot store a NUL, and nothing a person types holds one). A field holds at most
/// <see cref="MaxLength"/> characters, so a megabyte "name" is refused instead of stored.
/// </summary>
internal sealed class PrintableTextConverter : JsonConverter<string>
{
    public const int MaxLength = 10_000;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"a {reader.TokenType.ToString().ToLowerInvariant()} is not text");
        }

        var text = reader.GetString()!;
        if (text.Length > MaxLength)
        {
            throw new JsonException($"is {text.Length:N0} characters long; text fields hold at most {MaxLength:N0}");
        }

        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                throw new JsonException($"holds the control character U+{(int)c:X4}; text takes printable characters, tabs and line breaks");
            }
        }

        return text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>Enums as their UPPER_SNAKE_CASE names; an unknown name is an error that lists the allowed ones.</summary>
internal sealed class EnumNameConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(EnumNameConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class EnumNameConverter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
    {
        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            return EnumNames.TryParse<TEnum>(text, out var value)
                ? value
                : throw new JsonException($"{(text is null ? "a " + reader.TokenType.ToString().ToLowerInvariant() : $"'{text}'")} is not one of {string.Join(", ", Enum.GetValues<TEnum>().Select(v => v.Name()))}");
        }

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
    }
}

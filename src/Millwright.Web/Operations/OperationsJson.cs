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

using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Millwright.Domain;

namespace Millwright.Operations.Data;

/// <summary>Stores enum values by their UPPER_SNAKE_CASE name (IN_PROGRESS), the same spelling as the API.</summary>
internal sealed class EnumNameConverter<TEnum>() : ValueConverter<TEnum, string>(
    v => v.Name(),
    v => EnumNames.Parse<TEnum>(v))
    where TEnum : struct, Enum;

/// <summary>Every timestamp is UTC: written as UTC, read back with <see cref="DateTimeKind.Utc"/> (SQLite keeps no kind).</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

using System.Collections.Frozen;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations;
using Millwright.Operations.Data;

namespace Millwright.Web.Operations;

/// <summary>One page of a list, with the total count of rows that match the filters.</summary>
internal sealed record ListPage<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

/// <summary>
/// The generic part of the API: for every table a paged, filtered, sorted list and a get by id; for master data also
/// create (POST) and partial update (PATCH, with the version read in <c>If-Match</c> or the body).
/// </summary>
internal static class ResourceApi
{
    private const int MaxPageSize = 500;

    public static void MapReadable<T>(this RouteGroupBuilder group, string path, string tag) where T : Entity
    {
        group.MapGet($"/{path}", (HttpContext http, OperationsStore store, CancellationToken ct) => ListAsync<T>(http, store, ct))
            .WithTags(tag)
            .WithName($"list_{path}")
            .WithSummary($"List {path}: page, pageSize (max {MaxPageSize}), sort (comma-separated, '-' for descending), after (id cursor), and field=value, field_gte=, field_lte= filters")
            .Produces<ListPage<T>>();
        group.MapGet($"/{path}/{{id:long}}", async (long id, HttpContext http, OperationsStore store, CancellationToken ct) =>
            {
                await using var db = store.CreateContext();
                var entity = await db.Set<T>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct).ConfigureAwait(false)
                    ?? throw new NotFoundException(OperationsDbContext.TableOf(typeof(T)), id);
                return Ok(http, entity);
            })
            .WithTags(tag)
            .WithName($"get_{path}")
            .Produces<T>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static void MapMasterData<T>(this RouteGroupBuilder group, string path, string tag, bool create = true) where T : Entity, IMasterData
    {
        group.MapReadable<T>(path, tag);
        if (create)
        {
            group.MapPost($"/{path}", async (HttpContext http, MasterData master, CancellationToken ct) =>
                {
                    var scope = RequestScope.From(http);
                    var entity = await ReadAsync<T>(http, ct).ConfigureAwait(false);
                    var created = await master.CreateAsync(scope, entity, ct).ConfigureAwait(false);
                    return Created(http, $"{path}/{created.Id}", created);
                })
                .WithTags(tag)
                .WithName($"create_{path}")
                .Accepts<T>("application/json")
                .Produces<T>(StatusCodes.Status201Created)
                .ProducesValidationProblem()
                .ProducesProblem(StatusCodes.Status409Conflict)
                .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        }

        group.MapPatch($"/{path}/{{id:long}}", async (long id, HttpContext http, MasterData master, CancellationToken ct) =>
            {
                var scope = RequestScope.From(http);
                var body = await ReadAsync<JsonElement>(http, ct).ConfigureAwait(false);
                if (body.ValueKind != JsonValueKind.Object)
                {
                    throw ValidationFailedException.For("body", "must be a JSON object of the fields to change");
                }

                var writable = Fields<T>.Writable;
                long? bodyVersion = null;
                var changes = new List<(PropertyInfo Property, object? Value)>();
                foreach (var field in body.EnumerateObject())
                {
                    if (field.NameEquals("version"))
                    {
                        bodyVersion = field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetInt64(out var v) ? v : throw ValidationFailedException.For("version", "must be the row's version number");
                        continue;
                    }

                    if (field.NameEquals("id"))
                    {
                        continue;
                    }

                    if (!writable.TryGetValue(field.Name, out var property))
                    {
                        throw ValidationFailedException.For(field.Name, $"is not a field of {path}; fields: {string.Join(", ", writable.Keys.Order(StringComparer.Ordinal))}");
                    }

                    try
                    {
                        changes.Add((property, field.Value.Deserialize(property.PropertyType, OperationsJson.Options)));
                    }
                    catch (JsonException e)
                    {
                        throw ValidationFailedException.For(field.Name, e.Message.Split(" Path:", 2)[0]);
                    }
                }

                var updated = await master.UpdateAsync<T>(scope, id, RequestScope.RequiredVersion(http, bodyVersion), entity =>
                {
                    foreach (var (property, value) in changes)
                    {
                        property.SetValue(entity, value);
                    }
                }, ct).ConfigureAwait(false);
                return Ok(http, updated);
            })
            .WithTags(tag)
            .WithName($"update_{path}")
            .Accepts<JsonElement>("application/json")
            .Produces<T>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>Reads the body as <typeparamref name="T"/>; malformed JSON or a wrong field type is a 400 naming the field.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext http, CancellationToken cancellationToken)
    {
        // JSON only, in UTF-8: a form, XML or a UTF-16 body is refused before it is read.
        if (http.Request.ContentLength != 0 && !http.Request.HasJsonContentType())
        {
            throw new BadHttpRequestException($"the body must be JSON (Content-Type: application/json), not '{http.Request.ContentType}'", StatusCodes.Status415UnsupportedMediaType);
        }

        if (http.Request.ContentType is { } type && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var media)
            && media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException($"the body must be UTF-8, not {media.Charset}", StatusCodes.Status415UnsupportedMediaType);
        }

        // An empty body reads as {}: requests whose fields are all optional need none, the others get a 400 naming what is missing.
        var value = http.Request.ContentLength == 0
            ? JsonSerializer.Deserialize<T>("{}", OperationsJson.Options)
            : await JsonSerializer.DeserializeAsync<T>(http.Request.Body, OperationsJson.Options, cancellationToken).ConfigureAwait(false);
        return value ?? throw ValidationFailedException.For("body", "is required");
    }

    /// <summary>
    /// Reads a JSON object as <typeparamref name="T"/> with an optional <c>"version"</c> field taken out first (the
    /// version an update changes, as master data's PATCH takes it). The other fields are passed on as their raw
    /// text, so a bad value fails exactly as it would in <see cref="ReadAsync{T}"/>, naming its field.
    /// </summary>
    public static async Task<(T Body, long? Version)> ReadWithVersionAsync<T>(HttpContext http, CancellationToken cancellationToken)
    {
        var element = await ReadAsync<JsonElement>(http, cancellationToken).ConfigureAwait(false);
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw ValidationFailedException.For("body", "must be a JSON object of the fields to change");
        }

        long? version = null;
        var rest = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(rest))
        {
            writer.WriteStartObject();
            foreach (var field in element.EnumerateObject())
            {
                if (field.NameEquals("version"))
                {
                    version = field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetInt64(out var v) ? v : throw ValidationFailedException.For("version", "must be the row's version number");
                    continue;
                }

                writer.WritePropertyName(field.Name);
                writer.WriteRawValue(field.Value.GetRawText(), skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        var body = JsonSerializer.Deserialize<T>(rest.WrittenSpan, OperationsJson.Options) ?? throw ValidationFailedException.For("body", "is required");
        return (body, version);
    }

    /// <summary>200 with the row; versioned rows carry their version as the ETag, to send back in If-Match.</summary>
    public static IResult Ok<T>(HttpContext http, T value)
    {
        if (value is IVersioned versioned)
        {
            http.Response.Headers.ETag = $"\"{versioned.Version}\"";
        }

        return Results.Json(value, OperationsJson.Options);
    }

    public static IResult Created<T>(HttpContext http, string relative, T value)
    {
        if (value is IVersioned versioned)
        {
            http.Response.Headers.ETag = $"\"{versioned.Version}\"";
        }

        http.Response.Headers.Location = $"/api/ops/{relative}";
        return Results.Json(value, OperationsJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync<T>(HttpContext http, OperationsStore store, CancellationToken cancellationToken) where T : Entity
    {
        var query = http.Request.Query;
        var page = Int(query, "page", 1, 1, int.MaxValue);
        var pageSize = Int(query, "pageSize", 50, 1, MaxPageSize);
        var properties = Fields<T>.Scalars;
        await using var db = store.CreateContext();
        IQueryable<T> rows = db.Set<T>().AsNoTracking();
        foreach (var (key, values) in query)
        {
            if (key is "page" or "pageSize" or "sort")
            {
                continue;
            }

            var value = values.ToString();
            if (key == "after")
            {
                var after = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : throw ValidationFailedException.For("after", "must be an id");
                rows = rows.Where(e => e.Id > after);
                continue;
            }

            var (name, op) = key.EndsWith("_gte", StringComparison.Ordinal) ? (key[..^4], ExpressionType.GreaterThanOrEqual)
                : key.EndsWith("_lte", StringComparison.Ordinal) ? (key[..^4], ExpressionType.LessThanOrEqual)
                : (key, ExpressionType.Equal);
            if (!properties.TryGetValue(name, out var property))
            {
                throw ValidationFailedException.For(key, $"is not a field to filter on; fields: {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}");
            }

            rows = rows.Where(Filter<T>(property, op, Parse(key, value, property.PropertyType)));
        }

        var total = await rows.LongCountAsync(cancellationToken).ConfigureAwait(false);
        var sort = query["sort"].ToString();
        var first = true;
        foreach (var term in (sort.Length == 0 ? "id" : sort).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var descending = term.StartsWith('-');
            var name = term.TrimStart('-', '+');
            if (!properties.TryGetValue(name, out var property))
            {
                throw ValidationFailedException.For("sort", $"'{name}' is not a field; fields: {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}");
            }

            rows = Sort(rows, property, descending, first);
            first = false;
        }

        if (!sort.Split(',').Any(s => s.Trim().TrimStart('-', '+') == "id"))
        {
            rows = Sort(rows, properties["id"], descending: false, first: false);
        }

        // A page past the end is empty (the skip is computed wide, so a huge page number cannot wrap around to page 1).
        var skip = (long)(page - 1) * pageSize;
        var items = skip >= total ? [] : await rows.Skip((int)skip).Take(pageSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(new ListPage<T>(items, page, pageSize, total), OperationsJson.Options);
    }

    /// <summary>The fields of <typeparamref name="TEntity"/> by API name, read once per type.</summary>
    private static class Fields<TEntity>
    {
        /// <summary>Every stored scalar field: what lists filter and sort on.</summary>
        public static readonly FrozenDictionary<string, PropertyInfo> Scalars = typeof(TEntity)
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && IsScalar(p.PropertyType))
            .ToFrozenDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);

        /// <summary>What a PATCH may set: every scalar but the key and the version.</summary>
        public static readonly FrozenDictionary<string, PropertyInfo> Writable = Scalars
            .Where(p => p.Key is not ("id" or "version"))
            .ToFrozenDictionary(StringComparer.Ordinal);

        private static bool IsScalar(Type type)
        {
            var t = Nullable.GetUnderlyingType(type) ?? type;
            return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime);
        }
    }

    private static readonly FrozenDictionary<string, MethodInfo> Orderings = typeof(Queryable).GetMethods()
        .Where(m => m.Name is nameof(Queryable.OrderBy) or nameof(Queryable.OrderByDescending) or nameof(Queryable.ThenBy) or nameof(Queryable.ThenByDescending)
            && m.GetParameters().Length == 2)
        .ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);

    private static int Int(IQueryCollection query, string name, int fallback, int min, int max)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ValidationFailedException.For(name, $"must be a whole number from {min} to {max}");
    }

    private static object? Parse(string field, string text, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && text == "null")
        {
            return null;
        }

        var t = underlying ?? type;
        object? value = t switch
        {
            _ when t == typeof(string) => text.Any(char.IsControl) ? throw ValidationFailedException.For(field, "must not contain control characters (NUL, tab, line breaks)") : text,
            _ when t == typeof(long) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : null,
            _ when t == typeof(int) => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null,
            _ when t == typeof(decimal) => decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : null,
            _ when t == typeof(bool) => bool.TryParse(text, out var b) ? b : null,
            _ when t == typeof(DateTime) => DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dt) ? dt : null,
            _ when t.IsEnum => ParseEnum(t, text),
            _ => null,
        };
        return value ?? throw ValidationFailedException.For(field, $"'{text}' is not a valid {(t.IsEnum ? string.Join("/", Enum.GetNames(t).Select(n => EnumNames.Policy.ConvertName(n))) : t.Name)}");
    }

    private static object? ParseEnum(Type type, string text) =>
        Enum.GetValues(type).Cast<object>().FirstOrDefault(v =>
            string.Equals(EnumNames.Policy.ConvertName(v.ToString()!), text, StringComparison.OrdinalIgnoreCase));

    private static Expression<Func<T, bool>> Filter<T>(PropertyInfo property, ExpressionType op, object? value)
    {
        var x = Expression.Parameter(typeof(T), "x");
        var left = Expression.Property(x, property);
        var right = Expression.Constant(value, property.PropertyType);
        if (op != ExpressionType.Equal && (property.PropertyType == typeof(string) || property.PropertyType == typeof(bool)))
        {
            throw ValidationFailedException.For(JsonNamingPolicy.CamelCase.ConvertName(property.Name), "ranges (_gte, _lte) apply to numbers and times");
        }

        return Expression.Lambda<Func<T, bool>>(Expression.MakeBinary(op, left, right), x);
    }

    private static IQueryable<T> Sort<T>(IQueryable<T> rows, PropertyInfo property, bool descending, bool first)
    {
        var x = Expression.Parameter(typeof(T), "x");
        Expression key = Expression.Property(x, property);
        if (property.PropertyType == typeof(decimal) || property.PropertyType == typeof(decimal?))
        {
            // SQLite orders decimals only as numbers; the cast keeps the order the same on every provider.
            key = Expression.Convert(key, property.PropertyType == typeof(decimal) ? typeof(double) : typeof(double?));
        }

        var lambda = Expression.Lambda(key, x);
        var name = (first, descending) switch
        {
            (true, false) => nameof(Queryable.OrderBy),
            (true, true) => nameof(Queryable.OrderByDescending),
            (false, false) => nameof(Queryable.ThenBy),
            _ => nameof(Queryable.ThenByDescending),
        };
        var method = Orderings[name].MakeGenericMethod(typeof(T), key.Type);
        return (IQueryable<T>)method.Invoke(null, [rows, lambda])!;
    }
}

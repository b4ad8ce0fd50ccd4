using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Compilation;

/// <summary>A relation as templates see it: renders as "database"."schema"."identifier".</summary>
internal sealed class RelationValue(string? database, string? schema, string identifier, string type = "table", bool isCte = false) : IPyMapping
{
    public string? Database { get; } = database;

    public string? Schema { get; } = schema;

    public string Identifier { get; } = identifier;

    public string Type { get; } = type;

    public bool IsCte { get; } = isCte;

    public object? GetAttribute(string name) => name switch
    {
        "database" => Database,
        "schema" => Schema,
        "identifier" or "name" or "table" => Identifier,
        "type" => Type,
        "is_table" => Type == "table",
        "is_view" => Type == "view",
        "is_cte" => IsCte,
        "render" => new PyFunction("render", _ => ToString()),
        "get" => new PyFunction("get", a => Py.Str(a.Get(0, "key")) switch
        {
            "metadata" => new PyDict { ["type"] = "MillwrightRelation" },
            "path" => new PyDict { ["database"] = Database, ["schema"] = Schema, ["identifier"] = Identifier },
            "type" => Type,
            var key => GetAttribute(key) is Undefined ? a.Get(1, "default") : GetAttribute(key),
        }),
        "quote" => new PyFunction("quote", _ => this),
        "include" => new PyFunction("include", a => new RelationValue(
            Py.Truthy(a.Get(0, "database", true)) ? Database : null,
            Py.Truthy(a.Get(1, "schema", true)) ? Schema : null,
            Identifier, Type, IsCte)),
        "incorporate" => new PyFunction("incorporate", a =>
        {
            var path = a.Get(-1, "path") as PyDict;
            return new RelationValue(
                path?.Get("database") as string ?? Database,
                path?.Get("schema") as string ?? Schema,
                path?.Get("identifier") as string ?? Identifier,
                a.Get(-1, "type") as string ?? Type, IsCte);
        }),
        _ => new Undefined(name, $"a relation has no attribute '{name}'"),
    };

    public override string ToString()
    {
        if (IsCte)
        {
            return Identifier;
        }

        var sb = new StringBuilder();
        if (Database is not null)
        {
            sb.Append(Quote(Database)).Append('.');
        }

        if (Schema is not null)
        {
            sb.Append(Quote(Schema)).Append('.');
        }

        return sb.Append(Quote(Identifier)).ToString();
    }

    private static string Quote(string part) => "\"" + part.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>Python's datetime.datetime and date: strftime, isoformat, fields, arithmetic with timedelta.</summary>
internal sealed class PyDateTime(DateTime value, bool hasTime, bool utc) : IPyObject, IPyOperand, IFormattable
{
    public DateTime Value { get; } = value;

    public object? GetAttribute(string name) => name switch
    {
        "year" => (long)Value.Year,
        "month" => (long)Value.Month,
        "day" => (long)Value.Day,
        "hour" => (long)Value.Hour,
        "minute" => (long)Value.Minute,
        "second" => (long)Value.Second,
        "microsecond" => (long)(Value.Ticks % TimeSpan.TicksPerSecond / 10),
        "strftime" => new PyFunction("strftime", a => Strftime(Value, Py.Str(a.Get(0, "format")))),
        "isoformat" => new PyFunction("isoformat", _ => Iso(a: "T")),
        "date" => new PyFunction("date", _ => new PyDateTime(Value.Date, false, false)),
        "timestamp" => new PyFunction("timestamp", _ => (Value - DateTime.UnixEpoch).TotalSeconds),
        "weekday" => new PyFunction("weekday", _ => (long)(((int)Value.DayOfWeek + 6) % 7)),
        "replace" => new PyFunction("replace", a => new PyDateTime(new DateTime(
            (int)Py.ToLong(a.Keywords.GetValueOrDefault("year") ?? (long)Value.Year),
            (int)Py.ToLong(a.Keywords.GetValueOrDefault("month") ?? (long)Value.Month),
            (int)Py.ToLong(a.Keywords.GetValueOrDefault("day") ?? (long)Value.Day),
            (int)Py.ToLong(a.Keywords.GetValueOrDefault("hour") ?? (long)Value.Hour),
            (int)Py.ToLong(a.Keywords.GetValueOrDefault("minute") ?? (long)Value.Minute),
            (int)Py.ToLong(a.Keywords.GetValueOrDefault("second") ?? (long)Value.Second),
            Value.Kind), hasTime, utc)),
        _ => new Undefined(name, $"'datetime' object has no attribute '{name}'"),
    };

    public bool TryOperate(string op, object? other, bool reversed, out object? result)
    {
        result = null;
        switch (op, other)
        {
            case ("+", PyTimeDelta d):
                result = new PyDateTime(Value + d.Value, hasTime, utc);
                return true;
            case ("-", PyTimeDelta d) when !reversed:
                result = new PyDateTime(Value - d.Value, hasTime, utc);
                return true;
            case ("-", PyDateTime other2):
                result = new PyTimeDelta(reversed ? other2.Value - Value : Value - other2.Value);
                return true;
            case ("cmp", PyDateTime other3):
                result = (long)(reversed ? other3.Value.CompareTo(Value) : Value.CompareTo(other3.Value));
                return true;
            default:
                return false;
        }
    }

    public override bool Equals(object? obj) => obj is PyDateTime other && other.Value == Value;

    public override int GetHashCode() => Value.GetHashCode();

    public override string ToString() => Iso(a: " ");

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    private string Iso(string a)
    {
        if (!hasTime)
        {
            return Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        var text = Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + a + Value.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var micro = Value.Ticks % TimeSpan.TicksPerSecond / 10;
        if (micro != 0)
        {
            text += "." + micro.ToString("000000", CultureInfo.InvariantCulture);
        }

        return utc ? text + "+00:00" : text;
    }

    /// <summary>Python's strftime directives.</summary>
    public static string Strftime(DateTime value, string format)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }

            var c = format[++i];
            sb.Append(c switch
            {
                'Y' => value.ToString("yyyy", CultureInfo.InvariantCulture),
                'y' => value.ToString("yy", CultureInfo.InvariantCulture),
                'm' => value.ToString("MM", CultureInfo.InvariantCulture),
                'd' => value.ToString("dd", CultureInfo.InvariantCulture),
                'H' => value.ToString("HH", CultureInfo.InvariantCulture),
                'I' => value.ToString("hh", CultureInfo.InvariantCulture),
                'M' => value.ToString("mm", CultureInfo.InvariantCulture),
                'S' => value.ToString("ss", CultureInfo.InvariantCulture),
                'f' => (value.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", CultureInfo.InvariantCulture),
                'p' => value.Hour < 12 ? "AM" : "PM",
                'j' => value.DayOfYear.ToString("000", CultureInfo.InvariantCulture),
                'a' => value.ToString("ddd", CultureInfo.InvariantCulture),
                'A' => value.ToString("dddd", CultureInfo.InvariantCulture),
                'b' => value.ToString("MMM", CultureInfo.InvariantCulture),
                'B' => value.ToString("MMMM", CultureInfo.InvariantCulture),
                'w' => ((int)value.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'z' => value.Kind == DateTimeKind.Utc ? "+0000" : "",
                'Z' => value.Kind == DateTimeKind.Utc ? "UTC" : "",
                '%' => "%",
                _ => "%" + c,
            });
        }

        return sb.ToString();
    }
}

/// <summary>Python's datetime.timedelta.</summary>
internal sealed class PyTimeDelta(TimeSpan value) : IPyObject, IPyOperand
{
    public TimeSpan Value { get; } = value;

    public object? GetAttribute(string name) => name switch
    {
        "days" => (long)Value.Days,
        "seconds" => (long)(Value.TotalSeconds - (Value.Days * 86400L)),
        "total_seconds" => new PyFunction("total_seconds", _ => Value.TotalSeconds),
        _ => new Undefined(name),
    };

    public bool TryOperate(string op, object? other, bool reversed, out object? result)
    {
        result = other is PyTimeDelta d
            ? op switch
            {
                "+" => new PyTimeDelta(Value + d.Value),
                "-" => new PyTimeDelta(reversed ? d.Value - Value : Value - d.Value),
                "cmp" => (long)(reversed ? d.Value.CompareTo(Value) : Value.CompareTo(d.Value)),
                _ => null,
            }
            : null;
        return result is not null;
    }

    public override string ToString() => Value.Days != 0
        ? $"{Value.Days} day{(Math.Abs(Value.Days) == 1 ? "" : "s")}, {Value.Hours}:{Value.Minutes:00}:{Value.Seconds:00}"
        : $"{Value.Hours}:{Value.Minutes:00}:{Value.Seconds:00}";
}

/// <summary>An object whose attributes are fixed values (modules, namespaces, exceptions).</summary>
internal sealed class AttributeBag(IReadOnlyDictionary<string, object?> values, string typeName = "object") : IPyObject
{
    public object? GetAttribute(string name) => values.TryGetValue(name, out var value) ? value : new Undefined(name, $"'{typeName}' has no attribute '{name}'");
}

/// <summary>The modules dbt exposes to templates: datetime and re.</summary>
internal static class PyModules
{
    public static AttributeBag Create()
    {
        var datetimeClass = new AttributeBag(new Dictionary<string, object?>
        {
            ["now"] = new PyFunction("now", _ => new PyDateTime(DateTime.Now, true, false)),
            ["utcnow"] = new PyFunction("utcnow", _ => new PyDateTime(DateTime.UtcNow, true, false)),
            ["strptime"] = new PyFunction("strptime", a => new PyDateTime(
                DateTime.ParseExact(Py.Str(a.Get(0, "date_string")), ToDotNetFormat(Py.Str(a.Get(1, "format"))), CultureInfo.InvariantCulture), true, false)),
        }, "datetime");
        var dateClass = new AttributeBag(new Dictionary<string, object?>
        {
            ["today"] = new PyFunction("today", _ => new PyDateTime(DateTime.Today, false, false)),
        }, "date");
        var datetimeModule = new AttributeBag(new Dictionary<string, object?>
        {
            ["datetime"] = datetimeClass,
            ["date"] = dateClass,
            ["timedelta"] = new PyFunction("timedelta", a => new PyTimeDelta(
                TimeSpan.FromDays(Py.ToDouble(a.Get(0, "days", 0L)))
                + TimeSpan.FromSeconds(Py.ToDouble(a.Get(1, "seconds", 0L)))
                + TimeSpan.FromMilliseconds(Py.ToDouble(a.Keywords.GetValueOrDefault("milliseconds") ?? 0L))
                + TimeSpan.FromMinutes(Py.ToDouble(a.Keywords.GetValueOrDefault("minutes") ?? 0L))
                + TimeSpan.FromHours(Py.ToDouble(a.Keywords.GetValueOrDefault("hours") ?? 0L))
                + TimeSpan.FromDays(7 * Py.ToDouble(a.Keywords.GetValueOrDefault("weeks") ?? 0L)))),
        }, "module");
        var re = new AttributeBag(new Dictionary<string, object?>
        {
            ["search"] = new PyFunction("search", a => Match(a, anchored: false)),
            ["match"] = new PyFunction("match", a => Match(a, anchored: true)),
            ["fullmatch"] = new PyFunction("fullmatch", a => Match(a, anchored: true, full: true)),
            ["sub"] = new PyFunction("sub", a => new Regex(Py.Str(a.Get(0, "pattern")), RegexOptions.None, TimeSpan.FromSeconds(1))
                .Replace(Py.Str(a.Get(2, "string")), Py.Str(a.Get(1, "repl")).Replace("\\g<", "${", StringComparison.Ordinal).Replace(">", "}", StringComparison.Ordinal))),
            ["findall"] = new PyFunction("findall", a => new Regex(Py.Str(a.Get(0, "pattern")), RegexOptions.None, TimeSpan.FromSeconds(1))
                .Matches(Py.Str(a.Get(1, "string"))).Select(m => (object?)(m.Groups.Count > 1 ? m.Groups[1].Value : m.Value)).ToList()),
            ["split"] = new PyFunction("split", a => new Regex(Py.Str(a.Get(0, "pattern")), RegexOptions.None, TimeSpan.FromSeconds(1))
                .Split(Py.Str(a.Get(1, "string"))).Select(s => (object?)s).ToList()),
            ["escape"] = new PyFunction("escape", a => Regex.Escape(Py.Str(a.Get(0, "pattern")))),
            ["IGNORECASE"] = 2L,
            ["I"] = 2L,
        }, "module");
        return new AttributeBag(new Dictionary<string, object?> { ["datetime"] = datetimeModule, ["re"] = re }, "modules");
    }

    private static object? Match(Arguments a, bool anchored, bool full = false)
    {
        var pattern = Py.Str(a.Get(0, "pattern"));
        if (anchored)
        {
            pattern = "\\A(?:" + pattern + ")" + (full ? "\\z" : "");
        }

        var flags = a.Get(2, "flags") is { } f && (Py.ToLong(f) & 2) != 0 ? RegexOptions.IgnoreCase : RegexOptions.None;
        var match = new Regex(pattern, flags, TimeSpan.FromSeconds(1)).Match(Py.Str(a.Get(1, "string")));
        if (!match.Success)
        {
            return null;
        }

        return new AttributeBag(new Dictionary<string, object?>
        {
            ["group"] = new PyFunction("group", g => g.Positional.Count == 0 ? match.Value : g.Positional[0] is string n ? match.Groups[n].Value : match.Groups[(int)Py.ToLong(g.Positional[0])].Value),
            ["groups"] = new PyFunction("groups", _ => new PyTuple(match.Groups.Cast<Group>().Skip(1).Select(x => (object?)(x.Success ? x.Value : null)).ToArray())),
            ["start"] = new PyFunction("start", _ => (long)match.Index),
            ["end"] = new PyFunction("end", _ => (long)(match.Index + match.Length)),
        }, "Match");
    }

    private static string ToDotNetFormat(string python) => python
        .Replace("%Y", "yyyy", StringComparison.Ordinal).Replace("%m", "MM", StringComparison.Ordinal).Replace("%d", "dd", StringComparison.Ordinal)
        .Replace("%H", "HH", StringComparison.Ordinal).Replace("%M", "mm", StringComparison.Ordinal).Replace("%S", "ss", StringComparison.Ordinal)
        .Replace("%f", "ffffff", StringComparison.Ordinal);
}

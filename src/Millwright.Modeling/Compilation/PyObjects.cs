using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Compilation;

/// <summary>
/// A relation as templates see it: renders as "database"."schema"."identifier" (the parts it has); equal to a
/// relation with the same path; a mapping whose metadata type ends with Relation, as dbt's are.
/// </summary>
internal sealed class RelationValue(SqlDialect dialect, string? database, string? schema, string? identifier, string type = "table", bool isCte = false) : IPyMapping, IEquatable<RelationValue>
{
    public string? Database { get; } = database;

    public string? Schema { get; } = schema;

    public string? Identifier { get; } = identifier;

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
        "include" => new PyFunction("include", a => new RelationValue(dialect,
            Py.Truthy(a.Get(0, "database", true)) ? Database : null,
            Py.Truthy(a.Get(1, "schema", true)) ? Schema : null,
            Py.Truthy(a.Get(2, "identifier", true)) ? Identifier : null, Type, IsCte)),
        "incorporate" => new PyFunction("incorporate", a =>
        {
            var path = a.Get(-1, "path") as PyDict;
            return new RelationValue(dialect,
                path?.Get("database") as string ?? Database,
                path?.Get("schema") as string ?? Schema,
                path?.Get("identifier") as string ?? Identifier,
                a.Get(-1, "type") as string ?? Type, IsCte);
        }),
        "replace_path" => new PyFunction("replace_path", a => new RelationValue(dialect,
            a.Has(-1, "database") ? a.Get(-1, "database") as string : Database,
            a.Has(-1, "schema") ? a.Get(-1, "schema") as string : Schema,
            a.Has(-1, "identifier") ? a.Get(-1, "identifier") as string : Identifier, Type, IsCte)),
        "without_identifier" => new PyFunction("without_identifier", _ => new RelationValue(dialect, Database, Schema, null, Type, IsCte)),
        "information_schema" => new PyFunction("information_schema", a =>
            new RelationValue(dialect, null, "information_schema", a.Get(0, "view_name") is { } view ? Py.Str(view) : null, "view")),
        _ => new Undefined(name, $"a relation has no attribute '{name}'"),
    };

    public bool Equals(RelationValue? other) =>
        other is not null && string.Equals(Database, other.Database, StringComparison.Ordinal) && string.Equals(Schema, other.Schema, StringComparison.Ordinal)
        && string.Equals(Identifier, other.Identifier, StringComparison.Ordinal) && IsCte == other.IsCte;

    public override bool Equals(object? obj) => Equals(obj as RelationValue);

    public override int GetHashCode() => HashCode.Combine(Database, Schema, Identifier, IsCte);

    public override string ToString()
    {
        if (IsCte)
        {
            return Identifier ?? "";
        }

        return dialect.Render(Database, Schema, Identifier);
    }
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

/// <summary>A class a template can call to construct a value and read attributes of (datetime.datetime, datetime.date).</summary>
internal sealed class PyClass(string name, Func<Arguments, object?> construct, IReadOnlyDictionary<string, object?> attributes) : IPyObject, IPyCallable
{
    public object? GetAttribute(string attribute) => attributes.TryGetValue(attribute, out var value) ? value : new Undefined(attribute, $"type object '{name}' has no attribute '{attribute}'");

    public object? Invoke(Arguments arguments) => construct(arguments);

    public override string ToString() => $"<class '{name}'>";
}

/// <summary>A time zone from pytz (utc, or an IANA name): what datetime.now(tz) and tz.localize(dt) take.</summary>
internal sealed class PyTimeZone(TimeZoneInfo zone, string name) : IPyObject
{
    public TimeZoneInfo Zone { get; } = zone;

    public object? GetAttribute(string attribute) => attribute switch
    {
        "zone" => name,
        "localize" => new PyFunction("localize", a => a.Get(0, "dt") is PyDateTime d ? new PyDateTime(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(d.Value, DateTimeKind.Unspecified), Zone), true, true) : throw new TemplateRaisedException("localize() takes a datetime")),
        _ => new Undefined(attribute, $"'{name}' time zone has no attribute '{attribute}'"),
    };

    public override string ToString() => name;
}

/// <summary>The modules dbt exposes to templates: datetime, pytz, re and itertools.</summary>
internal static class PyModules
{
    public static AttributeBag Create()
    {
        var utc = new PyTimeZone(TimeZoneInfo.Utc, "UTC");
        static DateTime Now(object? tz) => tz is PyTimeZone z ? DateTime.UtcNow : DateTime.Now;
        var datetimeClass = new PyClass("datetime", a => new PyDateTime(new DateTime(
            (int)Py.ToLong(a.Get(0, "year")), (int)Py.ToLong(a.Get(1, "month")), (int)Py.ToLong(a.Get(2, "day")),
            (int)Py.ToLong(a.Get(3, "hour", 0L)), (int)Py.ToLong(a.Get(4, "minute", 0L)), (int)Py.ToLong(a.Get(5, "second", 0L))).AddTicks(Py.ToLong(a.Get(6, "microsecond", 0L)) * 10), true, a.Keywords.GetValueOrDefault("tzinfo") is PyTimeZone),
            new Dictionary<string, object?>
            {
                ["now"] = new PyFunction("now", a => new PyDateTime(Now(a.Get(0, "tz")), true, a.Get(0, "tz") is PyTimeZone)),
                ["utcnow"] = new PyFunction("utcnow", _ => new PyDateTime(DateTime.UtcNow, true, false)),
                ["today"] = new PyFunction("today", _ => new PyDateTime(DateTime.Now, true, false)),
                ["strptime"] = new PyFunction("strptime", a => new PyDateTime(
                    DateTime.ParseExact(Py.Str(a.Get(0, "date_string")), ToDotNetFormat(Py.Str(a.Get(1, "format"))), CultureInfo.InvariantCulture), true, false)),
                ["fromisoformat"] = new PyFunction("fromisoformat", a => new PyDateTime(DateTime.Parse(Py.Str(a.Get(0, "date_string")), CultureInfo.InvariantCulture, DateTimeStyles.None), true, false)),
            });
        var dateClass = new PyClass("date", a => new PyDateTime(new DateTime((int)Py.ToLong(a.Get(0, "year")), (int)Py.ToLong(a.Get(1, "month")), (int)Py.ToLong(a.Get(2, "day"))), false, false),
            new Dictionary<string, object?>
            {
                ["today"] = new PyFunction("today", _ => new PyDateTime(DateTime.Today, false, false)),
                ["fromisoformat"] = new PyFunction("fromisoformat", a => new PyDateTime(DateTime.ParseExact(Py.Str(a.Get(0, "date_string")), "yyyy-MM-dd", CultureInfo.InvariantCulture), false, false)),
            });
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
        var pytz = new AttributeBag(new Dictionary<string, object?>
        {
            ["utc"] = utc,
            ["UTC"] = utc,
            ["timezone"] = new PyFunction("timezone", a =>
            {
                var zone = Py.Str(a.Get(0, "zone"));
                return zone is "UTC" or "utc" ? utc
                    : TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found) ? new PyTimeZone(found, zone)
                    : throw new TemplateRaisedException($"pytz.timezone: unknown time zone '{zone}'");
            }),
        }, "module");
        var re = new AttributeBag(new Dictionary<string, object?>
        {
            ["search"] = new PyFunction("search", a => Match(a, anchored: false)),
            ["match"] = new PyFunction("match", a => Match(a, anchored: true)),
            ["fullmatch"] = new PyFunction("fullmatch", a => Match(a, anchored: true, full: true)),
            ["sub"] = new PyFunction("sub", a => Sub(Py.Str(a.Get(0, "pattern")), Py.Str(a.Get(1, "repl")), Py.Str(a.Get(2, "string")))),
            ["findall"] = new PyFunction("findall", a => FindAll(Py.Str(a.Get(0, "pattern")), Py.Str(a.Get(1, "string")))),
            ["split"] = new PyFunction("split", a => Split(Py.Str(a.Get(0, "pattern")), Py.Str(a.Get(1, "string")))),
            ["escape"] = new PyFunction("escape", a => Regex.Escape(Py.Str(a.Get(0, "pattern")))),
            ["compile"] = new PyFunction("compile", a => Compiled(Py.Str(a.Get(0, "pattern")), a.Get(1, "flags", 0L))),
            ["IGNORECASE"] = 2L,
            ["I"] = 2L,
        }, "module");
        var itertools = new AttributeBag(new Dictionary<string, object?>
        {
            ["chain"] = new PyFunction("chain", a => a.Positional.SelectMany(Py.Iterate).ToList()),
            ["product"] = new PyFunction("product", a =>
            {
                var pools = Enumerable.Repeat(a.Positional.Select(Py.ToList).ToList(), (int)Py.ToLong(a.Keywords.GetValueOrDefault("repeat") ?? 1L)).SelectMany(p => p).ToList();
                IEnumerable<object?[]> result = [[]];
                foreach (var pool in pools)
                {
                    result = result.SelectMany(prefix => pool.Select(item => (object?[])[.. prefix, item])).ToList();
                }

                return result.Select(r => (object?)new PyTuple(r)).ToList();
            }),
            ["combinations"] = new PyFunction("combinations", a => Combinations(Py.ToList(a.Get(0, "iterable")), (int)Py.ToLong(a.Get(1, "r")), ordered: false)),
            ["permutations"] = new PyFunction("permutations", a =>
            {
                var pool = Py.ToList(a.Get(0, "iterable"));
                return Combinations(pool, a.Get(1, "r") is { } r ? (int)Py.ToLong(r) : pool.Count, ordered: true);
            }),
        }, "module");
        return new AttributeBag(new Dictionary<string, object?> { ["datetime"] = datetimeModule, ["pytz"] = pytz, ["re"] = re, ["itertools"] = itertools }, "modules");
    }

    /// <summary>itertools.combinations (in index order) or permutations, as lists of tuples.</summary>
    private static List<object?> Combinations(List<object?> pool, int r, bool ordered)
    {
        var result = new List<object?>();
        void Walk(List<int> chosen)
        {
            if (chosen.Count == r)
            {
                result.Add(new PyTuple(chosen.Select(i => pool[i]).ToArray()));
                return;
            }

            for (var i = ordered ? 0 : (chosen.Count == 0 ? 0 : chosen[^1] + 1); i < pool.Count; i++)
            {
                if (!chosen.Contains(i))
                {
                    Walk([.. chosen, i]);
                }
            }
        }

        if (r >= 0 && r <= pool.Count)
        {
            Walk([]);
        }

        return result;
    }

    private static Regex Pattern(string pattern, RegexOptions options = RegexOptions.None) => new(pattern, options, TimeSpan.FromSeconds(1));

    private static string Sub(string pattern, string replacement, string text, RegexOptions options = RegexOptions.None) =>
        Pattern(pattern, options).Replace(text, replacement.Replace("\\g<", "${", StringComparison.Ordinal).Replace(">", "}", StringComparison.Ordinal));

    private static List<object?> FindAll(string pattern, string text, RegexOptions options = RegexOptions.None) =>
        Pattern(pattern, options).Matches(text).Select(m => (object?)(m.Groups.Count > 1 ? m.Groups[1].Value : m.Value)).ToList();

    private static List<object?> Split(string pattern, string text, RegexOptions options = RegexOptions.None) =>
        Pattern(pattern, options).Split(text).Select(s => (object?)s).ToList();

    /// <summary>re.compile: a pattern object with the module's functions bound to it.</summary>
    private static AttributeBag Compiled(string pattern, object? flags)
    {
        var options = (Py.ToLong(flags ?? 0L) & 2) != 0 ? RegexOptions.IgnoreCase : RegexOptions.None;
        object? Bound(string name, bool anchored, bool full) => new PyFunction(name, a => MatchText(pattern, Py.Str(a.Get(0, "string")), options, anchored, full));
        return new AttributeBag(new Dictionary<string, object?>
        {
            ["pattern"] = pattern,
            ["search"] = Bound("search", false, false),
            ["match"] = Bound("match", true, false),
            ["fullmatch"] = Bound("fullmatch", true, true),
            ["sub"] = new PyFunction("sub", a => Sub(pattern, Py.Str(a.Get(0, "repl")), Py.Str(a.Get(1, "string")), options)),
            ["findall"] = new PyFunction("findall", a => FindAll(pattern, Py.Str(a.Get(0, "string")), options)),
            ["split"] = new PyFunction("split", a => Split(pattern, Py.Str(a.Get(0, "string")), options)),
        }, "re.Pattern");
    }

    private static object? Match(Arguments a, bool anchored, bool full = false) =>
        MatchText(Py.Str(a.Get(0, "pattern")), Py.Str(a.Get(1, "string")), a.Get(2, "flags") is { } f && (Py.ToLong(f) & 2) != 0 ? RegexOptions.IgnoreCase : RegexOptions.None, anchored, full);

    private static object? MatchText(string pattern, string text, RegexOptions options, bool anchored, bool full)
    {
        if (anchored)
        {
            pattern = "\\A(?:" + pattern + ")" + (full ? "\\z" : "");
        }

        var match = Pattern(pattern, options).Match(text);
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

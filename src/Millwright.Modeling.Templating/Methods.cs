namespace Millwright.Modeling.Templating;

/// <summary>The Python methods of str, list and dict that templates call.</summary>
internal static class Methods
{
    private static readonly HashSet<string> StringMethods =
    [
        "split", "rsplit", "strip", "lstrip", "rstrip", "startswith", "endswith", "format", "lower", "upper", "title",
        "capitalize", "replace", "join", "find", "rfind", "index", "count", "isdigit", "isalpha", "isalnum", "isupper",
        "islower", "isspace", "splitlines", "zfill", "casefold", "swapcase", "center", "ljust", "rjust", "partition",
        "removeprefix", "removesuffix",
    ];

    private static readonly HashSet<string> ListMethods = ["append", "extend", "pop", "insert", "remove", "index", "count", "reverse", "sort", "copy", "clear"];

    private static readonly HashSet<string> TupleMethods = ["index", "count"];

    private static readonly HashSet<string> DictMethods = ["get", "items", "keys", "values", "update", "pop", "setdefault", "copy", "clear", "popitem"];

    public static bool Has(object target, string name) => target switch
    {
        string => StringMethods.Contains(name),
        List<object?> => ListMethods.Contains(name),
        PyTuple => TupleMethods.Contains(name),
        PyDict => DictMethods.Contains(name),
        _ => false,
    };

    public static IPyCallable Bind(object target, string name) => new PyFunction(name, args => target switch
    {
        string s => CallString(s, name, args),
        List<object?> l => CallList(l, name, args),
        PyTuple t => CallTuple(t, name, args),
        PyDict d => CallDict(d, name, args),
        _ => throw new RenderError($"'{Py.TypeName(target)}' object has no attribute '{name}'"),
    });

    private static string Text(object? value, string method) =>
        value as string ?? throw new RenderError($"{method}() argument must be str, not {Py.TypeName(value)}");

    private static object? CallString(string s, string name, Arguments a)
    {
        switch (name)
        {
            case "split":
            case "rsplit":
                {
                    var sep = a.Get(0, "sep");
                    var max = a.Get(1, "maxsplit") is { } m ? (int)Py.ToLong(m) : -1;
                    if (sep is null)
                    {
                        var parts = s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                        if (max >= 0 && parts.Length > max + 1)
                        {
                            if (name == "split")
                            {
                                var head = s.TrimStart().Split((char[]?)null, max + 1, StringSplitOptions.RemoveEmptyEntries);
                                head[^1] = head[^1].TrimStart();
                                return head.Select(x => (object?)x).ToList();
                            }

                            var tail = parts[^max..].ToList();
                            var restEnd = s.TrimEnd();
                            var cut = restEnd.Length;
                            for (var i = 0; i < max; i++)
                            {
                                cut = restEnd.LastIndexOf(parts[^(i + 1)], cut - 1, StringComparison.Ordinal);
                            }

                            return new List<object?> { restEnd[..cut].TrimEnd() }.Concat(tail.Select(x => (object?)x)).ToList();
                        }

                        return parts.Select(x => (object?)x).ToList();
                    }

                    var separator = Text(sep, name);
                    if (separator.Length == 0)
                    {
                        throw new RenderError("empty separator");
                    }

                    if (max < 0)
                    {
                        return s.Split(separator).Select(x => (object?)x).ToList();
                    }

                    if (name == "split")
                    {
                        return s.Split(separator, max + 1).Select(x => (object?)x).ToList();
                    }

                    var all = s.Split(separator);
                    if (all.Length <= max + 1)
                    {
                        return all.Select(x => (object?)x).ToList();
                    }

                    var keep = all.Length - max;
                    return new List<object?> { string.Join(separator, all[..keep]) }.Concat(all[keep..].Select(x => (object?)x)).ToList();
                }

            case "strip":
                return a.Get(0, "chars") is string cs ? s.Trim(cs.ToCharArray()) : s.Trim();
            case "lstrip":
                return a.Get(0, "chars") is string ls ? s.TrimStart(ls.ToCharArray()) : s.TrimStart();
            case "rstrip":
                return a.Get(0, "chars") is string rs ? s.TrimEnd(rs.ToCharArray()) : s.TrimEnd();
            case "startswith":
                return a.Get(0, "prefix") is PyTuple sp
                    ? sp.Any(p => s.StartsWith(Text(p, name), StringComparison.Ordinal))
                    : s.StartsWith(Text(a.Get(0, "prefix"), name), StringComparison.Ordinal);
            case "endswith":
                return a.Get(0, "suffix") is PyTuple ep
                    ? ep.Any(p => s.EndsWith(Text(p, name), StringComparison.Ordinal))
                    : s.EndsWith(Text(a.Get(0, "suffix"), name), StringComparison.Ordinal);
            case "format":
                return Py.Format(s, a);
            case "lower":
            case "casefold":
                return s.ToLowerInvariant();
            case "upper":
                return s.ToUpperInvariant();
            case "title":
                {
                    var sb = new System.Text.StringBuilder(s.Length);
                    var previousIsLetter = false;
                    foreach (var ch in s)
                    {
                        sb.Append(previousIsLetter ? char.ToLowerInvariant(ch) : char.ToUpperInvariant(ch));
                        previousIsLetter = char.IsLetter(ch);
                    }

                    return sb.ToString();
                }

            case "capitalize":
                return s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
            case "swapcase":
                return string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));
            case "replace":
                {
                    var old = Text(a.Get(0, "old"), name);
                    var replacement = Text(a.Get(1, "new"), name);
                    var count = a.Get(2, "count") is { } c ? (int)Py.ToLong(c) : -1;
                    return Filters.Replace(s, old, replacement, count);
                }

            case "join":
                return string.Join(s, Py.Iterate(a.Get(0, "iterable")).Select(x => x as string ?? throw new RenderError($"sequence item: expected str instance, {Py.TypeName(x)} found")));
            case "find":
                return (long)s.IndexOf(Text(a.Get(0, "sub"), name), StringComparison.Ordinal);
            case "rfind":
                return (long)s.LastIndexOf(Text(a.Get(0, "sub"), name), StringComparison.Ordinal);
            case "index":
                {
                    var i = s.IndexOf(Text(a.Get(0, "sub"), name), StringComparison.Ordinal);
                    return i < 0 ? throw new RenderError("substring not found") : (long)i;
                }

            case "count":
                {
                    var sub = Text(a.Get(0, "sub"), name);
                    if (sub.Length == 0)
                    {
                        return (long)s.Length + 1;
                    }

                    long n = 0;
                    for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal))
                    {
                        n++;
                    }

                    return n;
                }

            case "isdigit":
                return s.Length > 0 && s.All(char.IsDigit);
            case "isalpha":
                return s.Length > 0 && s.All(char.IsLetter);
            case "isalnum":
                return s.Length > 0 && s.All(char.IsLetterOrDigit);
            case "isspace":
                return s.Length > 0 && s.All(char.IsWhiteSpace);
            case "isupper":
                return s.Any(char.IsLetter) && !s.Any(char.IsLower);
            case "islower":
                return s.Any(char.IsLetter) && !s.Any(char.IsUpper);
            case "splitlines":
                {
                    var lines = s.Split('\n').Select(x => (object?)x.TrimEnd('\r')).ToList();
                    if (s.Length == 0 || s.EndsWith('\n'))
                    {
                        lines.RemoveAt(lines.Count - 1);
                    }

                    return lines;
                }

            case "zfill":
                {
                    var width = (int)Py.ToLong(a.Get(0, "width"));
                    return s.StartsWith('-') || s.StartsWith('+') ? s[0] + s[1..].PadLeft(width - 1, '0') : s.PadLeft(width, '0');
                }

            case "center":
                {
                    var width = (int)Py.ToLong(a.Get(0, "width"));
                    var fill = a.Get(1, "fillchar") is string f ? f[0] : ' ';
                    var total = width - s.Length;
                    if (total <= 0)
                    {
                        return s;
                    }

                    var left = (total / 2) + (total & width & 1);
                    return new string(fill, left) + s + new string(fill, total - left);
                }

            case "ljust":
                return s.PadRight((int)Py.ToLong(a.Get(0, "width")), a.Get(1, "fillchar") is string lf ? lf[0] : ' ');
            case "rjust":
                return s.PadLeft((int)Py.ToLong(a.Get(0, "width")), a.Get(1, "fillchar") is string rf ? rf[0] : ' ');
            case "partition":
                {
                    var sep = Text(a.Get(0, "sep"), name);
                    var i = s.IndexOf(sep, StringComparison.Ordinal);
                    return i < 0 ? new PyTuple([s, "", ""]) : new PyTuple([s[..i], sep, s[(i + sep.Length)..]]);
                }

            case "removeprefix":
                {
                    var p = Text(a.Get(0, "prefix"), name);
                    return s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s;
                }

            case "removesuffix":
                {
                    var p = Text(a.Get(0, "suffix"), name);
                    return p.Length > 0 && s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s;
                }

            default:
                throw new RenderError($"'str' object has no attribute '{name}'");
        }
    }

    private static object? CallList(List<object?> l, string name, Arguments a)
    {
        switch (name)
        {
            case "append":
                l.Add(a.Required(0, "object", name));
                return null;
            case "extend":
                l.AddRange(Py.Iterate(a.Required(0, "iterable", name)).ToList());
                return null;
            case "insert":
                {
                    var i = Py.ToLong(a.Required(0, "index", name));
                    i = i < 0 ? Math.Max(0, i + l.Count) : Math.Min(i, l.Count);
                    l.Insert((int)i, a.Required(1, "object", name));
                    return null;
                }

            case "pop":
                {
                    if (l.Count == 0)
                    {
                        throw new RenderError("pop from empty list");
                    }

                    var i = a.Has(0, "index") ? Py.ToLong(a.Get(0, "index")) : -1;
                    if (i < 0)
                    {
                        i += l.Count;
                    }

                    if (i < 0 || i >= l.Count)
                    {
                        throw new RenderError("pop index out of range");
                    }

                    var value = l[(int)i];
                    l.RemoveAt((int)i);
                    return value;
                }

            case "remove":
                {
                    var item = a.Required(0, "value", name);
                    var i = l.FindIndex(x => Py.Equal(x, item));
                    if (i < 0)
                    {
                        throw new RenderError("list.remove(x): x not in list");
                    }

                    l.RemoveAt(i);
                    return null;
                }

            case "index":
                {
                    var item = a.Required(0, "value", name);
                    var i = l.FindIndex(x => Py.Equal(x, item));
                    return i < 0 ? throw new RenderError($"{Py.Repr(item)} is not in list") : (long)i;
                }

            case "count":
                {
                    var item = a.Get(0, "value");
                    return (long)l.Count(x => Py.Equal(x, item));
                }

            case "reverse":
                l.Reverse();
                return null;
            case "sort":
                {
                    var sorted = Filters.Sort(l, Py.Truthy(a.Get(-1, "reverse")), true, null);
                    l.Clear();
                    l.AddRange(sorted);
                    return null;
                }

            case "copy":
                return l.ToList();
            case "clear":
                l.Clear();
                return null;
            default:
                throw new RenderError($"'list' object has no attribute '{name}'");
        }
    }

    private static object? CallTuple(PyTuple t, string name, Arguments a)
    {
        var item = a.Get(0, "value");
        if (name == "count")
        {
            return (long)t.Count(x => Py.Equal(x, item));
        }

        var i = t.Items.ToList().FindIndex(x => Py.Equal(x, item));
        return i < 0 ? throw new RenderError("tuple.index(x): x not in tuple") : (long)i;
    }

    private static object? CallDict(PyDict d, string name, Arguments a)
    {
        switch (name)
        {
            case "get":
                {
                    var key = a.Required(0, "key", name);
                    return key is not null && d.TryGetValue(key, out var value) ? value : a.Get(1, "default");
                }

            case "items":
                return d.Select(kv => (object?)new PyTuple([kv.Key, kv.Value])).ToList();
            case "keys":
                return d.Keys.Select(k => (object?)k).ToList();
            case "values":
                return d.Values.ToList();
            case "update":
                {
                    if (a.Positional.Count > 0)
                    {
                        var other = a.Positional[0];
                        if (other is PyDict od)
                        {
                            foreach (var (key, value) in od)
                            {
                                d[key] = value;
                            }
                        }
                        else
                        {
                            foreach (var pair in Py.Iterate(other))
                            {
                                var items = Py.ToList(pair);
                                d[items[0]!] = items[1];
                            }
                        }
                    }

                    foreach (var (key, value) in a.Keywords)
                    {
                        d[key] = value;
                    }

                    return null;
                }

            case "pop":
                {
                    var key = a.Required(0, "key", name)!;
                    if (d.TryGetValue(key, out var value))
                    {
                        d.Remove(key);
                        return value;
                    }

                    return a.Has(1, "default") ? a.Get(1, "default") : throw new RenderError($"KeyError: {Py.Repr(key)}");
                }

            case "popitem":
                {
                    if (d.Count == 0)
                    {
                        throw new RenderError("popitem(): dictionary is empty");
                    }

                    var last = d.Last();
                    d.Remove(last.Key);
                    return new PyTuple([last.Key, last.Value]);
                }

            case "setdefault":
                {
                    var key = a.Required(0, "key", name)!;
                    if (!d.TryGetValue(key, out var value))
                    {
                        value = a.Get(1, "default");
                        d[key] = value;
                    }

                    return value;
                }

            case "copy":
                {
                    var copy = new PyDict();
                    foreach (var (key, value) in d)
                    {
                        copy[key] = value;
                    }

                    return copy;
                }

            case "clear":
                d.Clear();
                return null;
            default:
                throw new RenderError($"'dict' object has no attribute '{name}'");
        }
    }
}

namespace Millwright.Orchestration.Definitions;

/// <summary>
/// An asset's name: one or more path segments joined by '/', e.g. <c>raw/readings</c> or <c>fct_orders</c>.
/// Segments hold letters, digits, '_', '-' and '.'.
/// </summary>
public readonly record struct AssetKey : IComparable<AssetKey>
{
    public AssetKey(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('/');
        if (path.Length == 0 || segments.Any(s => s.Length == 0 || !s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            throw new OrchestrationException($"'{path}' is not an asset key: use path segments of letters, digits, '_', '-' and '.', joined by '/'");
        }

        Path = path;
    }

    public string Path { get; }

    public IReadOnlyList<string> Segments => Path.Split('/');

    /// <summary>The first segment when the key has several, as a default group name.</summary>
    public string Prefix => Path.Contains('/', StringComparison.Ordinal) ? Path[..Path.IndexOf('/', StringComparison.Ordinal)] : "";

    public static AssetKey Of(params string[] segments) => new(string.Join('/', segments));

    public static implicit operator AssetKey(string path) => new(path);

    public int CompareTo(AssetKey other) => string.CompareOrdinal(Path, other.Path);

    public override string ToString() => Path ?? "";

    public static bool operator <(AssetKey left, AssetKey right) => left.CompareTo(right) < 0;

    public static bool operator >(AssetKey left, AssetKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(AssetKey left, AssetKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(AssetKey left, AssetKey right) => left.CompareTo(right) >= 0;
}

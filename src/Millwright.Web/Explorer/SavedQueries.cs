using System.Text.Json;
using System.Text.Json.Serialization;

namespace Millwright.Web.Explorer;

/// <summary>A query a user kept under a name.</summary>
internal sealed record SavedQuery(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("sql")] string Sql,
    [property: JsonPropertyName("saved_at")] DateTimeOffset SavedAt);

/// <summary>
/// Each user's saved explorer queries, in <c>.millwright/explorer/saved/{user id}.json</c> (the host is the one owner of
/// its workspace, so one writer): written to a temporary file and renamed, so a crash never leaves half a list.
/// </summary>
internal sealed class SavedQueries(Workspace.LoadedSettings loaded, TimeProvider clock) : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    public const int MaxNameLength = 120;
    public const int MaxSqlLength = 100_000;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private string Folder => Path.Combine(loaded.Workspace.StateDirectory, "explorer", "saved");

    public async Task<IReadOnlyList<SavedQuery>> ListAsync(long userId, CancellationToken cancellationToken)
    {
        var path = PathOf(userId);
        if (!File.Exists(path))
        {
            return [];
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<List<SavedQuery>>(stream, cancellationToken: cancellationToken).ConfigureAwait(false) ?? [];
    }

    /// <summary>Saves (or replaces) the query called <paramref name="name"/>.</summary>
    public async Task<SavedQuery> SaveAsync(long userId, string name, string sql, CancellationToken cancellationToken)
    {
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            throw new ExplorerException($"name: 1 to {MaxNameLength} characters, no control characters");
        }

        if (string.IsNullOrWhiteSpace(sql) || sql.Length > MaxSqlLength)
        {
            throw new ExplorerException($"sql: 1 to {MaxSqlLength:N0} characters");
        }

        var saved = new SavedQuery(name, sql, clock.GetUtcNow());
        await ChangeAsync(userId, list => [.. list.Where(q => q.Name != name), saved], cancellationToken).ConfigureAwait(false);
        return saved;
    }

    /// <summary>Deletes the query called <paramref name="name"/>; returns whether there was one.</summary>
    public async Task<bool> DeleteAsync(long userId, string name, CancellationToken cancellationToken)
    {
        var found = false;
        await ChangeAsync(userId, list =>
        {
            found = list.Any(q => q.Name == name);
            return [.. list.Where(q => q.Name != name)];
        }, cancellationToken).ConfigureAwait(false);
        return found;
    }

    private async Task ChangeAsync(long userId, Func<IReadOnlyList<SavedQuery>, List<SavedQuery>> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var next = change(await ListAsync(userId, cancellationToken).ConfigureAwait(false)).OrderBy(q => q.Name, StringComparer.OrdinalIgnoreCase).ToList();
            Directory.CreateDirectory(Folder);
            var path = PathOf(userId);
            var temporary = path + ".tmp";
            await using (var stream = File.Create(temporary))
            {
                await JsonSerializer.SerializeAsync(stream, next, Indented, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private string PathOf(long userId) => Path.Combine(Folder, $"{userId.ToString(System.Globalization.CultureInfo.InvariantCulture)}.json");
}

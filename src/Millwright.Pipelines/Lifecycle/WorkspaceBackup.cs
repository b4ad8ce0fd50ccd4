using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Millwright.Warehouse;
using Millwright.Warehouse.Postgres;
using Millwright.Workspace;

namespace Millwright.Pipelines.Lifecycle;

/// <summary>One file of a backup, as its manifest lists it.</summary>
public sealed record BackupFile(string Path, long Bytes, string Sha256);

/// <summary>What a backup holds: when it was taken, from which stores, and a checksum of every file.</summary>
public sealed record BackupManifest(string Workspace, DateTime CreatedAt, string Operations, string Orchestration, string Warehouse, IReadOnlyList<BackupFile> Files)
{
    public const string FileName = "manifest.json";

    public long Bytes => Files.Sum(f => f.Bytes);
}

/// <summary>A finished backup: its folder and manifest.</summary>
public sealed record BackupResult(string Folder, BackupManifest Manifest, TimeSpan Elapsed);

/// <summary>
/// Backs a workspace up while it keeps serving, and restores a backup into an empty workspace. The operational store
/// (with its users) and the orchestration store are copied by SQLite's online backup (one consistent snapshot each) or
/// <c>pg_dump</c>; the warehouse by its own export (DuckDB's EXPORT DATABASE, or pg_dump). A backup is written into a
/// <c>.partial</c> folder and renamed when its manifest (every file's SHA-256) is written, so a folder named
/// <c>millwright-*</c> is always complete; the oldest beyond <see cref="BackupSettings.Keep"/> are deleted.
/// </summary>
public sealed class WorkspaceBackup(MillwrightSettings settings, IWarehouse warehouse, TimeProvider? time = null)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<BackupResult> BackupAsync(string? directory = null, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        directory ??= settings.Backup.Directory;
        Directory.CreateDirectory(directory);
        var now = _time.GetUtcNow().UtcDateTime;
        var name = $"millwright-{now:yyyyMMdd-HHmmss}";
        var folder = Path.Combine(directory, name);
        for (var n = 2; Directory.Exists(folder) || Directory.Exists(folder + ".partial"); n++)
        {
            folder = Path.Combine(directory, $"{name}-{n}"); // two backups in one second
        }

        var partial = folder + ".partial";
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }

        Directory.CreateDirectory(partial);
        try
        {
            await CopyStoreAsync(settings.Operations, Path.Combine(partial, "operations"), cancellationToken).ConfigureAwait(false);
            await CopyStoreAsync(settings.Orchestration.Store, Path.Combine(partial, "orchestration"), cancellationToken).ConfigureAwait(false);
            await warehouse.ExportAsync(Path.Combine(partial, "warehouse"), cancellationToken).ConfigureAwait(false);
            var manifest = new BackupManifest(settings.Name, now, settings.Operations.Provider.ToConfigName(), settings.Orchestration.Store.Provider.ToConfigName(), settings.Warehouse.ProviderName,
                await ChecksumsAsync(partial, cancellationToken).ConfigureAwait(false));
            await File.WriteAllTextAsync(Path.Combine(partial, BackupManifest.FileName), JsonSerializer.Serialize(manifest, Json), cancellationToken).ConfigureAwait(false);
            Directory.Move(partial, folder);
            Prune(directory, settings.Backup.Keep);
            return new BackupResult(folder, manifest, _time.GetElapsedTime(started));
        }
        catch
        {
            Directory.Delete(partial, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Restores <paramref name="folder"/> into this workspace's stores, which must be empty (no operational or
    /// orchestration database, an empty warehouse); every file is checked against the manifest first.
    /// </summary>
    public async Task<BackupManifest> RestoreAsync(string folder, CancellationToken cancellationToken = default)
    {
        var manifest = await VerifyAsync(folder, cancellationToken).ConfigureAwait(false);
        Require(manifest.Operations, settings.Operations, "operations");
        Require(manifest.Orchestration, settings.Orchestration.Store, "orchestration");
        Require(manifest.Warehouse, settings.Warehouse, "warehouse");
        foreach (var (store, what) in new[] { (settings.Operations, "operational store"), (settings.Orchestration.Store, "orchestration store") })
        {
            if (store.Provider == StoreProvider.Sqlite && File.Exists(store.Path) && new FileInfo(store.Path!).Length > 0)
            {
                throw new SettingsException($"the {what} {store.Path} already exists; restore into an empty workspace (`millwright init` a new folder)");
            }
        }

        await warehouse.ImportAsync(Path.Combine(folder, "warehouse"), cancellationToken).ConfigureAwait(false);
        await RestoreStoreAsync(settings.Orchestration.Store, Path.Combine(folder, "orchestration"), cancellationToken).ConfigureAwait(false);
        await RestoreStoreAsync(settings.Operations, Path.Combine(folder, "operations"), cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>Reads a backup's manifest and checks every file's size and SHA-256 against it.</summary>
    public static async Task<BackupManifest> VerifyAsync(string folder, CancellationToken cancellationToken = default)
    {
        var file = Path.Combine(folder, BackupManifest.FileName);
        if (!File.Exists(file))
        {
            throw new SettingsException($"{folder} is not a Millwright backup: it has no {BackupManifest.FileName}");
        }

        var manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), Json)
            ?? throw new SettingsException($"{file} is empty");
        var actual = (await ChecksumsAsync(folder, cancellationToken).ConfigureAwait(false)).ToDictionary(f => f.Path, StringComparer.Ordinal);
        foreach (var expected in manifest.Files)
        {
            if (!actual.TryGetValue(expected.Path, out var found))
            {
                throw new SettingsException($"backup {folder}: {expected.Path} is missing");
            }

            if (found.Sha256 != expected.Sha256 || found.Bytes != expected.Bytes)
            {
                throw new SettingsException($"backup {folder}: {expected.Path} does not match its checksum in the manifest (damaged or changed)");
            }
        }

        return manifest;
    }

    /// <summary>The newest complete backup in <paramref name="directory"/>, or null.</summary>
    public static async Task<BackupManifest?> LatestAsync(string directory, CancellationToken cancellationToken = default)
    {
        var newest = Complete(directory).LastOrDefault();
        return newest is null
            ? null
            : JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(Path.Combine(newest, BackupManifest.FileName), cancellationToken).ConfigureAwait(false), Json);
    }

    private static IEnumerable<string> Complete(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetDirectories(directory, "millwright-*").Where(d => !d.EndsWith(".partial", StringComparison.Ordinal) && File.Exists(Path.Combine(d, BackupManifest.FileName))).Order(StringComparer.Ordinal)
            : [];

    private static void Prune(string directory, int keep)
    {
        foreach (var old in Complete(directory).Reverse().Skip(keep))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private static void Require(string backedUp, StoreLocation store, string what)
    {
        if (!string.Equals(backedUp, store.ProviderName, StringComparison.Ordinal))
        {
            throw new SettingsException($"the backup's {what} is {backedUp} and this workspace's is {store.ProviderName}; restore into a workspace with the same providers");
        }
    }

    private static async Task CopyStoreAsync(StoreSettings store, string name, CancellationToken cancellationToken)
    {
        if (store.Provider == StoreProvider.Postgres)
        {
            await PostgresTools.DumpAsync(store.Connection!, name + ".dump", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!File.Exists(store.Path))
        {
            return;
        }

        // SQLite's online backup copies every page under one read transaction: a consistent snapshot while writers go on.
        await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store.Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = name + ".db", Pooling = false }.ToString());
        await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        await target.OpenAsync(cancellationToken).ConfigureAwait(false);
        source.BackupDatabase(target);
    }

    private static async Task RestoreStoreAsync(StoreSettings store, string name, CancellationToken cancellationToken)
    {
        if (store.Provider == StoreProvider.Postgres)
        {
            await PostgresTools.RestoreAsync(store.Connection!, name + ".dump", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (File.Exists(name + ".db"))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(store.Path!)!);
            File.Copy(name + ".db", store.Path!, overwrite: true);
        }
    }

    private static async Task<IReadOnlyList<BackupFile>> ChecksumsAsync(string folder, CancellationToken cancellationToken)
    {
        var files = new List<BackupFile>();
        foreach (var path in Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(folder, path).Replace('\\', '/');
            if (relative == BackupManifest.FileName)
            {
                continue;
            }

            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                files.Add(new BackupFile(relative, stream.Length, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false))));
            }
        }

        return files;
    }
}

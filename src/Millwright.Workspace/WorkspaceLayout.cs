namespace Millwright.Workspace;

/// <summary>
/// The folders and files of a Millwright workspace: <c>millwright.yml</c>, <c>pipelines/</c> and
/// <c>.millwright/</c> (embedded state: the DuckDB warehouse, the SQLite stores).
/// </summary>
public sealed class WorkspaceLayout
{
    public const string ConfigFileName = "millwright.yml";
    public const string StateDirectoryName = ".millwright";
    public const string PipelinesDirectoryName = "pipelines";

    private WorkspaceLayout(string root, bool hasConfigFile)
    {
        Root = root;
        HasConfigFile = hasConfigFile;
    }

    /// <summary>Absolute path of the workspace folder.</summary>
    public string Root { get; }

    /// <summary>Whether <c>millwright.yml</c> exists; a folder without one runs on defaults.</summary>
    public bool HasConfigFile { get; }

    public string ConfigFile => Path.Combine(Root, ConfigFileName);

    public string StateDirectory => Path.Combine(Root, StateDirectoryName);

    public string PipelinesDirectory => Path.Combine(Root, PipelinesDirectoryName);

    /// <summary>Resolves a path from settings against the workspace root.</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(Root, path));

    /// <summary>
    /// Finds the workspace that holds <paramref name="start"/>: the nearest folder at or above it with a
    /// <c>millwright.yml</c>; when there is none, <paramref name="start"/> itself, running on defaults.
    /// </summary>
    public static WorkspaceLayout Discover(string start)
    {
        ArgumentException.ThrowIfNullOrEmpty(start);
        var full = Path.GetFullPath(start);
        for (var dir = new DirectoryInfo(full); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, ConfigFileName)))
            {
                return new WorkspaceLayout(dir.FullName, hasConfigFile: true);
            }
        }

        return new WorkspaceLayout(full, hasConfigFile: false);
    }

    /// <summary>Opens exactly <paramref name="root"/> as a workspace, without searching upwards.</summary>
    public static WorkspaceLayout At(string root)
    {
        var full = Path.GetFullPath(root);
        return new WorkspaceLayout(full, File.Exists(Path.Combine(full, ConfigFileName)));
    }

    /// <summary>
    /// Creates a workspace in <paramref name="root"/>: <c>millwright.yml</c> with the embedded defaults,
    /// <c>pipelines/</c> and <c>.millwright/</c>. An existing <c>millwright.yml</c> is never overwritten.
    /// </summary>
    public static WorkspaceInitResult Init(string root, string? name = null)
    {
        var full = Path.GetFullPath(root);
        Directory.CreateDirectory(full);
        var created = new List<string>();
        var configFile = Path.Combine(full, ConfigFileName);
        var existed = File.Exists(configFile);
        if (!existed)
        {
            var workspaceName = string.IsNullOrWhiteSpace(name) ? new DirectoryInfo(full).Name : name;
            var tmp = configFile + ".tmp";
            File.WriteAllText(tmp, DefaultConfig(workspaceName));
            File.Move(tmp, configFile);
            created.Add(ConfigFileName);
        }

        foreach (var dir in new[] { PipelinesDirectoryName, StateDirectoryName })
        {
            var path = Path.Combine(full, dir);
            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path);
                created.Add(dir + "/");
            }
        }

        var gitignore = Path.Combine(full, ".gitignore");
        if (!File.Exists(gitignore))
        {
            // Local state, and the files the simulator writes (millwright simulate, the demo of millwright up).
            File.WriteAllText(gitignore, StateDirectoryName + "/\nlanding/simulated/\n");
            created.Add(".gitignore");
        }

        return new WorkspaceInitResult(new WorkspaceLayout(full, hasConfigFile: true), created, existed);
    }

    internal static string DefaultConfig(string name) => $$"""
        # Millwright workspace settings.
        # Precedence: this file, then environment variables (MILLWRIGHT__SECTION__KEY, e.g.
        # MILLWRIGHT__WAREHOUSE__PROVIDER=postgres), then command-line options (--set warehouse.provider=postgres).
        # Values may name environment variables as ${NAME}; keep passwords there, never in this file.
        name: {{name}}

        # Every page and API needs a signed-in user or an API token (`millwright users`, `millwright tokens`); the first
        # `up` creates 'admin' with the password in MILLWRIGHT_ADMIN_PASSWORD, or a random one it prints once.
        web:
          host: 127.0.0.1
          port: 5000
          # allowed_hosts: [millwright.example.com]         # Host headers answered (default: localhost names on 127.0.0.1, any otherwise)
          # tls: { certificate: certs/site.pem, key: certs/site.key }   # PEM files; HTTPS on web.port

        # The operational system of record: sqlite (embedded, default) or postgres.
        operations:
          provider: sqlite
          path: .millwright/operations.db
          # connection: Host=127.0.0.1;Port=5432;Database=millwright;Username=millwright;Password=${MILLWRIGHT_PG_PASSWORD}

        # The analytical warehouse: duckdb (embedded, default) or postgres.
        warehouse:
          provider: duckdb
          path: .millwright/warehouse.duckdb
          # connection: Host=127.0.0.1;Port=5432;Database=warehouse;Username=millwright;Password=${MILLWRIGHT_PG_PASSWORD}

        # Runs, the event log, schedules and sensors: sqlite (embedded, default) or postgres (shared by several hosts).
        orchestration:
          provider: sqlite
          path: .millwright/orchestration.db
          max_concurrent_runs: 4
          retention_days: 30
          # connection: Host=127.0.0.1;Port=5432;Database=millwright;Username=millwright;Password=${MILLWRIGHT_PG_PASSWORD}

        """;
}

/// <summary>What <see cref="WorkspaceLayout.Init"/> did.</summary>
public sealed record WorkspaceInitResult(WorkspaceLayout Workspace, IReadOnlyList<string> Created, bool AlreadyInitialized);

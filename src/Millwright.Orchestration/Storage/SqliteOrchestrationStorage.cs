using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Millwright.Orchestration.Storage;

/// <summary>Orchestration storage in one SQLite file (WAL, so readers never wait for the writer; several processes share it).</summary>
internal sealed class SqliteOrchestrationStorage : SqlOrchestrationStorage
{
    private readonly string _connectionString;
    private readonly string _path;

    public SqliteOrchestrationStorage(string path)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public override string Describe => "sqlite " + _path;

    protected override string Identity => "INTEGER PRIMARY KEY AUTOINCREMENT";

    protected override string T(string table) => table;

    protected override IEnumerable<string> PrepareSchema() => [];

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}

using System.Data.Common;

namespace Millwright.Warehouse;

/// <summary>
/// Another owner's warehouse, lent for a while: every call goes to it, and disposing the loan leaves it open (a verb
/// run inside the host uses the host's warehouse, whose DuckDB instance the host holds for its lifetime).
/// </summary>
internal sealed class BorrowedWarehouse(IWarehouse owner) : IWarehouse
{
    public WarehouseEngine Engine => owner.Engine;

    public SqlDialect Dialect => owner.Dialect;

    public string Target => owner.Target;

    public Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken = default) => owner.ExecuteAsync(sql, cancellationToken);

    public Task ExecuteInTransactionAsync(IReadOnlyList<string> statements, CancellationToken cancellationToken = default) => owner.ExecuteInTransactionAsync(statements, cancellationToken);

    public Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken = default) => owner.QueryAsync(sql, cancellationToken);

    public Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?> parameters, CancellationToken cancellationToken = default) => owner.QueryAsync(sql, parameters, cancellationToken);

    public Task<object?> QueryScalarAsync(string sql, CancellationToken cancellationToken = default) => owner.QueryScalarAsync(sql, cancellationToken);

    public Task<long> BulkLoadAsync(RelationName target, DbDataReader source, BulkLoadOptions? options = null, CancellationToken cancellationToken = default) => owner.BulkLoadAsync(target, source, options, cancellationToken);

    public Task CreateOrReplaceAsync(RelationName name, RelationKind kind, string selectSql, CancellationToken cancellationToken = default) => owner.CreateOrReplaceAsync(name, kind, selectSql, cancellationToken);

    public Task CreateOrReplaceAsync(RelationName name, RelationKind kind, string selectSql, TableLayout? layout, CancellationToken cancellationToken = default) => owner.CreateOrReplaceAsync(name, kind, selectSql, layout, cancellationToken);

    public Task CreateSchemaAsync(string schema, CancellationToken cancellationToken = default) => owner.CreateSchemaAsync(schema, cancellationToken);

    public Task DropSchemaAsync(string schema, bool cascade, CancellationToken cancellationToken = default) => owner.DropSchemaAsync(schema, cascade, cancellationToken);

    public Task<IReadOnlyList<string>> ListSchemasAsync(CancellationToken cancellationToken = default) => owner.ListSchemasAsync(cancellationToken);

    public Task<IReadOnlyList<RelationInfo>> ListRelationsAsync(string? schema = null, CancellationToken cancellationToken = default) => owner.ListRelationsAsync(schema, cancellationToken);

    public Task<RelationInfo?> GetRelationAsync(RelationName name, CancellationToken cancellationToken = default) => owner.GetRelationAsync(name, cancellationToken);

    public Task<IReadOnlyList<ColumnInfo>> GetColumnsAsync(RelationName name, CancellationToken cancellationToken = default) => owner.GetColumnsAsync(name, cancellationToken);

    public Task<bool> DropRelationAsync(RelationName name, CancellationToken cancellationToken = default) => owner.DropRelationAsync(name, cancellationToken);

    public Task ExportAsync(string directory, CancellationToken cancellationToken = default) => owner.ExportAsync(directory, cancellationToken);

    public Task ImportAsync(string directory, CancellationToken cancellationToken = default) => owner.ImportAsync(directory, cancellationToken);

    public Task<VacuumResult> VacuumAsync(CancellationToken cancellationToken = default) => owner.VacuumAsync(cancellationToken);

    public Task<IWarehouse> OpenReadOnlyAsync(string workFolder, CancellationToken cancellationToken = default) => owner.OpenReadOnlyAsync(workFolder, cancellationToken);

    public Task<string> CheckAsync(CancellationToken cancellationToken = default) => owner.CheckAsync(cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

using System.Data;

namespace Millwright.Warehouse;

/// <summary>Bulk loads of rows a program holds in memory (predictions, decisions), through the engine's bulk path.</summary>
public static class RowLoads
{
    /// <summary>
    /// Loads <paramref name="rows"/> (values in the order of <paramref name="columns"/>, null as NULL) into
    /// <paramref name="target"/>, created with those columns when missing, in one transaction.
    /// </summary>
    public static async Task<long> BulkLoadRowsAsync(this IWarehouse warehouse, RelationName target, IReadOnlyList<ColumnDefinition> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        using var table = new DataTable();
        foreach (var column in columns)
        {
            table.Columns.Add(column.Name, column.Type.ClrType());
        }

        foreach (var row in rows)
        {
            table.Rows.Add(row.Select(v => v ?? DBNull.Value).ToArray());
        }

        using var reader = table.CreateDataReader();
        return await warehouse.BulkLoadAsync(target, reader, new BulkLoadOptions { Columns = columns }, cancellationToken).ConfigureAwait(false);
    }
}

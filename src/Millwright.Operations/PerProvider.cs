using Millwright.Operations.Data;

namespace Millwright.Operations;

/// <summary>
/// A compiled query for each store provider: EF binds a compiled query to the first model it runs against, and the
/// SQLite and PostgreSQL contexts have a model each.
/// </summary>
internal sealed class PerProvider<TQuery>(Func<TQuery> compile)
{
    private readonly TQuery _sqlite = compile();
    private readonly TQuery _postgres = compile();

    public TQuery For(OperationsDbContext db) => db.Provider == OperationsProvider.Postgres ? _postgres : _sqlite;
}

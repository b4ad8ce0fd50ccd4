using System.Globalization;
using System.Text;
using Millwright.Warehouse.DuckDb;
using Millwright.Warehouse.Postgres;

namespace Millwright.Warehouse;

/// <summary>How an engine spells identifiers, literals, relation names and types.</summary>
public abstract class SqlDialect
{
    private protected SqlDialect()
    {
    }

    /// <summary>DuckDB's dialect, for SQL written before (or without) a warehouse to run it.</summary>
    public static SqlDialect DuckDb => DuckDbDialect.Instance;

    /// <summary>PostgreSQL's dialect; its identifier and literal quoting is standard SQL, which SQLite reads too.</summary>
    public static SqlDialect Postgres => PostgresDialect.Instance;

    /// <summary>The SQL of a CAST of <paramref name="expression"/> to <paramref name="type"/>, which may be NULL.</summary>
    public virtual string Cast(string expression, LogicalType type) => $"CAST({expression} AS {TypeName(type)})";

    public abstract string Name { get; }

    /// <summary>Whether queries may open with WITH name AS (SELECT ...) (ClickHouse before 20.x: no).</summary>
    public virtual bool CommonTableExpressions => true;

    /// <summary>Whether a relation may be named database.schema.name (ClickHouse: no; a schema is a database there).</summary>
    public virtual bool HasDatabaseLevel => true;

    /// <summary>The schema unqualified names resolve to.</summary>
    public abstract string DefaultSchema { get; }

    /// <summary>Quotes an identifier so any name, reserved word or mixed case, is taken literally.</summary>
    public virtual string QuoteIdentifier(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("an identifier cannot contain a NUL character", nameof(identifier));
        }

        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A string literal.</summary>
    public virtual string QuoteLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a string literal cannot contain a NUL character", nameof(value));
        }

        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A literal for a CLR value: numbers invariant, dates ISO, null as NULL.</summary>
    public virtual string Literal(object? value) => value switch
    {
        null or DBNull => "NULL",
        bool b => b ? "TRUE" : "FALSE",
        string s => QuoteLiteral(s),
        DateTime dt => $"TIMESTAMP '{dt.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}'",
        DateTimeOffset at => $"TIMESTAMPTZ '{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00'",
        DateOnly d => $"DATE '{d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}'",
        Guid g => QuoteLiteral(g.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => QuoteLiteral(value.ToString() ?? ""),
    };

    /// <summary>A relation name, schema-qualified when it has a schema, every part quoted.</summary>
    public string Render(RelationName relation)
    {
        ArgumentNullException.ThrowIfNull(relation);
        return Render(null, relation.Schema, relation.Name);
    }

    /// <summary>
    /// A name of up to three parts (database, schema, relation), each quoted, those given joined by dots; the database
    /// part is left out where the engine has no such level (<see cref="HasDatabaseLevel"/>).
    /// </summary>
    public string Render(string? database, string? schema, string? name) =>
        string.Join('.', new[] { HasDatabaseLevel ? database : null, schema, name }.OfType<string>().Select(QuoteIdentifier));

    /// <summary>The engine's type for a logical type, as used in CREATE TABLE.</summary>
    public abstract string TypeName(LogicalType type);

    /// <summary>
    /// The type a dbt adapter for this engine gives a seed column whose values all read as <paramref name="type"/>
    /// (what dbt's agate type tester found: integers, numbers, dates, timestamps, booleans, else text).
    /// </summary>
    public virtual string SeedTypeName(LogicalType type) => TypeName(type);

    /// <summary>The longest identifier the engine keeps; a longer one is cut to this (PostgreSQL: 63 bytes).</summary>
    public virtual int MaxIdentifierLength => int.MaxValue;

    /// <summary>
    /// A name for a short-lived work table beside <paramref name="name"/>: the name, <paramref name="purpose"/> and a
    /// random suffix, with the name shortened so the whole fits <see cref="MaxIdentifierLength"/>. The engine never cuts
    /// it back to a real relation's name (a cut work name once dropped the table it was loading on PostgreSQL).
    /// </summary>
    public string WorkName(string name, string purpose)
    {
        ArgumentNullException.ThrowIfNull(name);
        var suffix = $"__{purpose}_{Guid.NewGuid().ToString("N")[..8]}";
        var room = MaxIdentifierLength - System.Text.Encoding.UTF8.GetByteCount(suffix);
        var head = name;
        while (System.Text.Encoding.UTF8.GetByteCount(head) > room)
        {
            head = head[..^1];
        }

        return head + suffix;
    }

    /// <summary>The logical type of an engine type name as the catalog reports it.</summary>
    public abstract LogicalType ParseType(string engineType);

    /// <summary>A boolean expression: whether the whole text of <paramref name="expression"/> matches the regular expression.</summary>
    public abstract string RegexFullMatch(string expression, string pattern);

    /// <summary>What follows a new table's columns (or its name, before AS): ClickHouse's ENGINE clause; nothing elsewhere.</summary>
    public virtual string TableClause(TableLayout? layout) => "";

    /// <summary>The statement that creates a schema unless it exists.</summary>
    public virtual string CreateSchemaIfMissing(string schema) => $"CREATE SCHEMA IF NOT EXISTS {QuoteIdentifier(schema)}";

    /// <summary>The statement that deletes a table's rows where <paramref name="condition"/> holds.</summary>
    public virtual string DeleteWhere(RelationName relation, string condition) => $"DELETE FROM {Render(relation)} WHERE {condition}";

    /// <summary>The statement that sets <paramref name="assignments"/> (<c>a = 1, b = NULL</c>) in the rows where <paramref name="condition"/> holds.</summary>
    public virtual string UpdateWhere(RelationName relation, string assignments, string condition) => $"UPDATE {Render(relation)} SET {assignments} WHERE {condition}";

    /// <summary>A column's type as a CREATE TABLE or ADD COLUMN writes it, with its nullability.</summary>
    public virtual string ColumnType(ColumnDefinition column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column.Nullable ? TypeName(column.Type) : TypeName(column.Type) + " NOT NULL";
    }

    /// <summary><see cref="TableClause"/> with a space before it, or nothing.</summary>
    public string TableSuffix(TableLayout? layout = null) => TableClause(layout) is { Length: > 0 } clause ? " " + clause : "";

    /// <summary>CREATE TABLE ... AS <paramref name="selectSql"/>, stored as <paramref name="layout"/> says where the engine has layouts.</summary>
    public string CreateTableAs(RelationName relation, string selectSql, TableLayout? layout = null) =>
        $"CREATE TABLE {Render(relation)}{TableSuffix(layout)} AS\n{selectSql}";

    /// <summary>
    /// CREATE TABLE for the given columns, with <paramref name="primaryKey"/> as a PRIMARY KEY where the engine declares
    /// one (<see cref="DeclaresPrimaryKeys"/>) and as the sort key where it does not (ClickHouse, which enforces none).
    /// </summary>
    public string CreateTable(RelationName relation, IEnumerable<ColumnDefinition> columns, bool ifNotExists = false, IReadOnlyList<string>? primaryKey = null)
    {
        var sql = new StringBuilder(ifNotExists ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ").Append(Render(relation)).Append(" (");
        var first = true;
        foreach (var column in columns)
        {
            sql.Append(first ? "" : ", ").Append(QuoteIdentifier(column.Name)).Append(' ').Append(ColumnType(column));
            first = false;
        }

        var key = primaryKey is { Count: > 0 } ? primaryKey.Select(QuoteIdentifier).ToList() : null;
        if (key is not null && DeclaresPrimaryKeys)
        {
            sql.Append(", PRIMARY KEY (").Append(string.Join(", ", key)).Append(')');
        }

        return sql.Append(')').Append(TableSuffix(key is null ? null : new TableLayout(OrderBy: key))).ToString();
    }

    /// <summary>Whether CREATE TABLE takes a PRIMARY KEY constraint among its columns (ClickHouse: no; its keys are the table's sort order).</summary>
    protected virtual bool DeclaresPrimaryKeys => true;

    private protected static string BaseType(string engineType)
    {
        var text = engineType.Trim().ToLowerInvariant();
        var paren = text.IndexOf('(', StringComparison.Ordinal);
        return paren < 0 ? text : text[..paren].Trim();
    }
}

using Millwright.Warehouse.ClickHouse;

namespace Millwright.Warehouse.Tests.ClickHouse;

public sealed class ClickHouseSqlTests
{
    [Fact]
    public void A_script_splits_at_semicolons_outside_quotes_and_comments()
    {
        var statements = ClickHouseSql.Split("""
            CREATE DATABASE a; -- the first; with a semicolon in a comment
            INSERT INTO a.t VALUES ('x;y', 'it\'s; fine', `odd;name`) /* a ; b */ ;
            ;  -- nothing here
            SELECT ';'
            """);

        Assert.Equal(3, statements.Count);
        Assert.Equal("CREATE DATABASE a", statements[0]);
        Assert.StartsWith("-- the first; with a semicolon in a comment\nINSERT INTO a.t VALUES ('x;y', 'it\\'s; fine', `odd;name`)", statements[1], StringComparison.Ordinal);
        Assert.EndsWith("SELECT ';'", statements[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_become_quoted_literals_and_dollars_in_strings_stay()
    {
        var sql = ClickHouseSql.Bind("SELECT * FROM t WHERE name = $1 AND note = '$1' AND n > $2 AND m = $10", ["O'Brien\\", 5, null, 0, 0, 0, 0, 0, 0, true], ClickHouseDialect.Instance);

        Assert.Equal(@"SELECT * FROM t WHERE name = 'O\'Brien\\' AND note = '$1' AND n > 5 AND m = 1", sql);
    }

    [Fact]
    public void A_parameter_that_was_not_given_is_named()
    {
        var error = Assert.Throws<WarehouseException>(() => ClickHouseSql.Bind("SELECT $3", [1], ClickHouseDialect.Instance));

        Assert.Contains("$3", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 parameter(s)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Nullable(Int32)", LogicalType.Int32)]
    [InlineData("LowCardinality(Nullable(String))", LogicalType.Text)]
    [InlineData("DateTime('UTC')", LogicalType.Timestamp)]
    [InlineData("Decimal(12, 2)", LogicalType.Decimal)]
    [InlineData("UInt8", LogicalType.Int16)]
    [InlineData("UInt64", LogicalType.Decimal)]
    [InlineData("Array(String)", LogicalType.Other)]
    public void Engine_types_read_as_logical_types(string engineType, LogicalType expected) =>
        Assert.Equal(expected, ClickHouseDialect.Instance.ParseType(engineType));

    [Fact]
    public void Identifiers_and_literals_escape_backslashes_and_their_quote()
    {
        var dialect = ClickHouseDialect.Instance;

        Assert.Equal(@"`a\`b\\c`", dialect.QuoteIdentifier(@"a`b\c"));
        Assert.Equal(@"'it\'s C:\\'", dialect.QuoteLiteral(@"it's C:\"));
        Assert.Equal("toDate('2026-03-01')", dialect.Literal(new DateOnly(2026, 3, 1)));
        Assert.Equal("1", dialect.Literal(true));
        Assert.Equal("CAST(NULL AS Nullable(Int64))", dialect.Cast("NULL", LogicalType.Int64));
        Assert.EndsWith("(`id` Int64, `name` Nullable(String)) ENGINE = MergeTree ORDER BY tuple()",
            dialect.CreateTable(RelationName.Of("s", "t"), [new ColumnDefinition("id", LogicalType.Int64, Nullable: false), new ColumnDefinition("name", LogicalType.Text)]), StringComparison.Ordinal);
        Assert.EndsWith("(`id` Int64) ENGINE = MergeTree() ORDER BY (`id`)",
            dialect.CreateTable(RelationName.Of("s", "t"), [new ColumnDefinition("id", LogicalType.Int64, Nullable: false)], primaryKey: ["id"]), StringComparison.Ordinal);
        Assert.EndsWith("(\"id\" BIGINT NOT NULL, PRIMARY KEY (\"id\"))",
            SqlDialect.DuckDb.CreateTable(RelationName.Of("s", "t"), [new ColumnDefinition("id", LogicalType.Int64, Nullable: false)], primaryKey: ["id"]), StringComparison.Ordinal);
    }
}

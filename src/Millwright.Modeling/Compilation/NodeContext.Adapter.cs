using Millwright.Warehouse;
using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Compilation;

/// <summary>The <c>adapter</c> and <c>api</c> objects of a node's templates: introspection and DDL on the warehouse.</summary>
internal sealed partial class NodeContext
{
    private AttributeBag CreateAdapter() => new(new Dictionary<string, object?>
    {
        ["quote"] = new PyFunction("quote", a => QuoteIdentifier(Py.Str(a.Get(0, "identifier")))),
        ["quote_as_configured"] = new PyFunction("quote_as_configured", a => QuoteIdentifier(Py.Str(a.Get(0, "identifier")))),
        ["type"] = new PyFunction("type", _ => _runtime.Target.Type),
        ["dispatch"] = new PyFunction("dispatch", Dispatch),
        ["get_columns_in_relation"] = new PyFunction("get_columns_in_relation", a => WithWarehouse(w => w.GetColumnsAsync(Relation(a.Get(0, "relation"))), (IReadOnlyList<Warehouse.ColumnInfo>)[]).Select(c => (object?)new ColumnValue(c, Dialect)).ToList()),
        ["get_relation"] = new PyFunction("get_relation", GetRelation),
        ["drop_relation"] = new PyFunction("drop_relation", a =>
        {
            WithWarehouse(w => w.DropRelationAsync(Relation(a.Get(0, "relation"))), false);
            return "";
        }),
        ["execute"] = new PyFunction("execute", a => Statement(Py.Str(a.Get(0, "sql")), Py.Truthy(a.Get(2, "fetch", false)))),
        ["create_schema"] = new PyFunction("create_schema", a =>
        {
            WithWarehouse(async w => { await w.CreateSchemaAsync(SchemaOf(a.Get(0, "relation"))).ConfigureAwait(false); return true; }, false);
            return "";
        }),
        ["drop_schema"] = new PyFunction("drop_schema", a =>
        {
            WithWarehouse(async w => { await w.DropSchemaAsync(SchemaOf(a.Get(0, "relation")), cascade: true).ConfigureAwait(false); return true; }, false);
            return "";
        }),
        ["list_schemas"] = new PyFunction("list_schemas", _ => WithWarehouse(w => w.ListSchemasAsync(), (IReadOnlyList<string>)[]).Select(x => (object?)x).ToList()),
        ["check_schema_exists"] = new PyFunction("check_schema_exists", a =>
        {
            var schema = Py.Str(a.Get(1, "schema"));
            return WithWarehouse(w => w.ListSchemasAsync(), (IReadOnlyList<string>)[]).Any(x => x.Equals(schema, StringComparison.OrdinalIgnoreCase));
        }),
        ["list_relations_without_caching"] = new PyFunction("list_relations_without_caching", a =>
        {
            var schema = SchemaOf(a.Get(0, "schema_relation"));
            var database = (a.Get(0, "schema_relation") as RelationValue)?.Database ?? _runtime.Target.Database;
            return WithWarehouse(w => w.ListRelationsAsync(schema), (IReadOnlyList<Warehouse.RelationInfo>)[])
                .Select(r => (object?)new RelationValue(Dialect, database, r.Schema, r.Name, r.Kind == Warehouse.RelationKind.View ? "view" : "table"))
                .ToList();
        }),
        ["already_exists"] = new PyFunction("already_exists", a =>
            WithWarehouse(w => w.GetRelationAsync(new Warehouse.RelationName(Py.Str(a.Get(0, "schema")), Py.Str(a.Get(1, "name")))), null) is not null),
    }, "adapter");

    private AttributeBag CreateApi() => new(new Dictionary<string, object?>
    {
        ["Relation"] = new AttributeBag(new Dictionary<string, object?>
        {
            ["create"] = new PyFunction("create", a => new RelationValue(Dialect, 
                a.Get(0, "database") as string ?? _runtime.Target.Database,
                a.Get(1, "schema") as string ?? _runtime.Target.Schema,
                a.Get(2, "identifier") is { } identifier ? Py.Str(identifier) : null,
                a.Get(3, "type") as string ?? "table")),
            ["add_ephemeral_prefix"] = new PyFunction("add_ephemeral_prefix", a => "__dbt__cte__" + Py.Str(a.Get(0, "name"))),
        }, "Relation"),
        ["Column"] = ApiColumn.Class(Dialect),
    }, "api");

    /// <summary>An identifier quoted as the target's engine quotes it.</summary>
    private string QuoteIdentifier(string identifier) => Dialect.QuoteIdentifier(identifier);

    /// <summary>The SQL of the target's engine: how relations and identifiers are quoted in what templates render.</summary>
    private SqlDialect Dialect => _runtime.Target.Warehouse.Engine.Dialect();

    /// <summary>The schema a relation (or a schema name) names, for the schema macros.</summary>
    private string SchemaOf(object? value) => value switch
    {
        RelationValue r => r.Schema ?? _runtime.Target.Schema,
        string s => s,
        PyDict d when d.Get("schema") is string s => s,
        _ => throw new TemplateRaisedException($"expected a relation or a schema name, got {Py.TypeName(value)}"),
    };
}

/// <summary>dbt's <c>api.Column</c>: create(name, dtype), translate_type, numeric_type, string_type, and its columns.</summary>
internal static class ApiColumn
{
    private static readonly Dictionary<string, string> TypeLabels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["STRING"] = "TEXT",
        ["TIMESTAMP"] = "TIMESTAMP",
        ["FLOAT"] = "FLOAT",
        ["INTEGER"] = "INT",
        ["BOOLEAN"] = "BOOLEAN",
    };

    public static AttributeBag Class(SqlDialect dialect) => new(new Dictionary<string, object?>
    {
        ["create"] = new PyFunction("create", a => Column(Py.Str(a.Required(0, "name", "Column.create")), Translate(Py.Str(a.Required(1, "label_or_dtype", "Column.create"))), dialect)),
        ["translate_type"] = new PyFunction("translate_type", a => Translate(Py.Str(a.Get(0, "dtype")))),
        ["numeric_type"] = new PyFunction("numeric_type", a => NumericType(Py.Str(a.Get(0, "dtype")), a.Get(1, "precision"), a.Get(2, "scale"))),
        ["string_type"] = new PyFunction("string_type", a => $"character varying({Py.Str(a.Get(0, "size"))})"),
    }, "Column");

    private static string Translate(string dtype) => TypeLabels.GetValueOrDefault(dtype, dtype);

    private static string NumericType(string dtype, object? precision, object? scale) =>
        precision is null || scale is null ? dtype : $"{dtype}({Py.Str(precision)},{Py.Str(scale)})";

    private static AttributeBag Column(string name, string dtype, SqlDialect dialect) => new(new Dictionary<string, object?>
    {
        ["name"] = name,
        ["column"] = name,
        ["dtype"] = dtype,
        ["data_type"] = dtype,
        ["quoted"] = dialect.QuoteIdentifier(name),
        ["is_string"] = new PyFunction("is_string", _ => dtype.ToLowerInvariant() is "text" or "character varying" or "character" or "varchar"),
        ["is_number"] = new PyFunction("is_number", _ => IsInteger(dtype) || IsFloat(dtype) || IsNumeric(dtype)),
        ["is_integer"] = new PyFunction("is_integer", _ => IsInteger(dtype)),
        ["is_float"] = new PyFunction("is_float", _ => IsFloat(dtype)),
        ["is_numeric"] = new PyFunction("is_numeric", _ => IsNumeric(dtype)),
        ["literal"] = new PyFunction("literal", a => $"{Py.Str(a.Get(0, "value"))}::{dtype}"),
    }, "Column");

    private static bool IsInteger(string dtype) => dtype.ToLowerInvariant() is "smallint" or "integer" or "int" or "bigint" or "int2" or "int4" or "int8";

    private static bool IsFloat(string dtype) => dtype.ToLowerInvariant() is "real" or "float4" or "float" or "double precision" or "float8" or "double";

    private static bool IsNumeric(string dtype) => dtype.ToLowerInvariant() is "numeric" or "decimal";
}

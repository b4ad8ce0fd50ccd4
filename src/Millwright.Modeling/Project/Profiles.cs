using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Project;

/// <summary>The target a run writes to, from profiles.yml.</summary>
internal sealed class TargetDefinition
{
    public required string ProfileName { get; init; }

    public required string Name { get; init; }

    public required string Type { get; init; }

    public required string Database { get; init; }

    public required string Schema { get; init; }

    public required int Threads { get; init; }

    public required WarehouseOptions Warehouse { get; init; }

    /// <summary>What templates see as target.*: every field but secrets.</summary>
    public required PyDict Values { get; init; }
}

internal static class Profiles
{
    /// <summary>Finds profiles.yml: --profiles-dir, then DBT_PROFILES_DIR, then the project folder, then ~/.dbt.</summary>
    public static string Find(string? profilesDir, string projectDir, Func<string, string?> environment)
    {
        var candidates = new List<string>();
        if (profilesDir is not null)
        {
            candidates.Add(profilesDir);
        }
        else
        {
            if (environment("DBT_PROFILES_DIR") is { Length: > 0 } fromEnv)
            {
                candidates.Add(fromEnv);
            }

            candidates.Add(projectDir);
            candidates.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dbt"));
        }

        foreach (var dir in candidates)
        {
            var file = Path.Combine(dir, "profiles.yml");
            if (File.Exists(file))
            {
                return file;
            }
        }

        throw new ModelingException($"no profiles.yml found (looked in {string.Join(", ", candidates)}); give its folder with --profiles-dir");
    }

    public static TargetDefinition Load(string file, string profileName, string? targetName, string projectDir, Func<string, object?, string> renderString)
    {
        var root = Yaml.ToValue(Yaml.Load(file, file)) as PyDict ?? throw new ModelingException($"{file}: the file must be a mapping of profiles");
        if (root.Get(profileName) is not PyDict profile)
        {
            throw new ModelingException($"{file}: no profile named '{profileName}' (profiles here: {string.Join(", ", root.Keys.Where(k => !Equals(k, "config")))})");
        }

        var outputs = profile.Get("outputs") as PyDict ?? throw new ModelingException($"{file}: profile '{profileName}' has no 'outputs'");
        var name = targetName ?? (profile.Get("target") is { } t ? renderString(Py.Str(t), null) : "dev");
        if (outputs.Get(name) is not PyDict output)
        {
            throw new ModelingException($"{file}: profile '{profileName}' has no target '{name}' (targets: {string.Join(", ", outputs.Keys)})");
        }

        var fields = new PyDict();
        foreach (var (key, value) in output)
        {
            // As in dbt, only a templated value is rendered and read natively ("{{ env_var('PORT') }}" gives 5432);
            // plain YAML keeps the type YAML gave it, so password: '0123' stays the text 0123.
            fields[key] = value is string s && Compilation.NativeValues.IsTemplate(s)
                ? Native(renderString(s, key))
                : value;
        }

        var type = fields.Get("type") as string ?? throw new ModelingException($"{file}: target '{name}' has no 'type'");
        var threads = fields.Get("threads") switch
        {
            null => 1,
            string text => Compilation.NativeValues.Integer(text) is { } n ? (int)n : throw new ModelingException($"{file}: target '{name}' threads must be a whole number, not '{text}'"),
            var th => (int)Py.ToLong(th),
        };
        WarehouseProfile located;
        try
        {
            located = WarehouseEngines.ReadProfile(type, key => fields.Get(key) is { } value ? Py.Str(value) : null, projectDir);
        }
        catch (WarehouseException e)
        {
            throw new ModelingException($"{file}: target '{name}' {e.Message}", e);
        }

        var (warehouse, database, schema) = (located.Options, located.Database, located.Schema);
        var values = new PyDict();
        foreach (var (key, value) in fields)
        {
            if (key is "password" or "pass")
            {
                continue;
            }

            values[key] = value;
        }

        values["name"] = name;
        values["target_name"] = name;
        values["profile_name"] = profileName;
        values["database"] = database;
        values["schema"] = schema;
        values["threads"] = (long)threads;
        values["type"] = type;
        return new TargetDefinition
        {
            ProfileName = profileName,
            Name = name,
            Type = type,
            Database = database,
            Schema = schema,
            Threads = Math.Max(1, threads),
            Warehouse = warehouse,
            Values = values,
        };
    }

    /// <summary>A target for a warehouse given directly rather than through profiles.yml.</summary>
    public static TargetDefinition FromConnection(DbtConnection connection, string profileName)
    {
        var type = connection.Warehouse.Engine.Name();
        var database = WarehouseEngines.DatabaseName(connection.Warehouse);
        var values = new PyDict
        {
            ["name"] = "millwright",
            ["target_name"] = "millwright",
            ["profile_name"] = profileName,
            ["database"] = database,
            ["schema"] = connection.Schema,
            ["threads"] = (long)connection.Threads,
            ["type"] = type,
        };
        return new TargetDefinition
        {
            ProfileName = profileName,
            Name = "millwright",
            Type = type,
            Database = database,
            Schema = connection.Schema,
            Threads = Math.Max(1, connection.Threads),
            Warehouse = connection.Warehouse,
            Values = values,
        };
    }

    /// <summary>A rendered profile value keeps a number a number ("{{ env_var('PORT') }}" gives 5432; "0123" stays text).</summary>
    private static object? Native(string text) => Compilation.NativeValues.Integer(text) is { } n ? n : text;
}

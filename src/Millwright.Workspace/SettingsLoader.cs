using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Millwright.Shared;
using Millwright.Warehouse;

namespace Millwright.Workspace;

/// <summary>
/// Builds a workspace's settings from its layers, each overriding the one before: built-in defaults,
/// <c>millwright.yml</c>, environment variables <c>MILLWRIGHT__SECTION__KEY</c>, and command-line overrides.
/// </summary>
public static partial class SettingsLoader
{
    public const string EnvironmentPrefix = "MILLWRIGHT__";

    private static readonly Dictionary<string, string> Defaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["web:host"] = "127.0.0.1",
        ["web:port"] = "5000",
        ["operations:provider"] = "sqlite",
        ["operations:path"] = ".millwright/operations.db",
        ["warehouse:provider"] = WarehouseEngines.Default.Name(),
        ["warehouse:path"] = ".millwright/warehouse.duckdb",
        ["orchestration:provider"] = "sqlite",
        ["orchestration:path"] = ".millwright/orchestration.db",
        ["orchestration:max_concurrent_runs"] = "4",
        ["orchestration:retention_days"] = "30",
        ["backup:directory"] = ".millwright/backups",
        ["backup:keep"] = "7",
    };

    private static readonly HashSet<string> KnownStoreKeys = new(StringComparer.OrdinalIgnoreCase) { "provider", "path", "connection" };

    /// <summary>Loads and validates the settings of <paramref name="layout"/>.</summary>
    /// <param name="layout">The workspace.</param>
    /// <param name="overrides">Command-line overrides as <c>section.key</c> (or <c>section:key</c>) to value.</param>
    /// <param name="environment">The environment to read; the process environment when null.</param>
    public static LoadedSettings Load(
        WorkspaceLayout layout,
        IReadOnlyDictionary<string, string>? overrides = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        environment ??= ProcessEnvironment();
        var origins = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in Defaults.Keys)
        {
            origins[key] = "the built-in default";
        }

        var fileValues = layout.HasConfigFile ? ReadYaml(layout.ConfigFile, environment, origins) : [];

        var envValues = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in environment)
        {
            if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > EnvironmentPrefix.Length)
            {
                var key = name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal);
                envValues[key] = value;
                origins[key] = $"environment variable {name}";
            }
        }

        var cliValues = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            var key = name.Replace('.', ':');
            cliValues[key] = value;
            origins[key] = $"the command line, {name}";
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Defaults!)
            .AddInMemoryCollection(fileValues!)
            .AddInMemoryCollection(envValues)
            .AddInMemoryCollection(cliValues)
            .Build();

        var warnings = new List<string>();
        foreach (var child in configuration.GetSection("backup").GetChildren().Where(c => c.Key is not ("directory" or "schedule" or "keep")))
        {
            warnings.Add($"unknown setting backup.{child.Key} (from {Origin(origins, $"backup:{child.Key}")}) is ignored");
        }

        foreach (var section in new[] { "operations", "warehouse", "orchestration" })
        {
            foreach (var child in configuration.GetSection(section).GetChildren())
            {
                if (!KnownStoreKeys.Contains(child.Key) && !(section == "orchestration" && child.Key is "max_concurrent_runs" or "retention_days"))
                {
                    warnings.Add($"unknown setting {section}.{child.Key} (from {Origin(origins, $"{section}:{child.Key}")}) is ignored");
                }
            }
        }

        var settings = new MillwrightSettings(
            Name: configuration["name"] is { Length: > 0 } n ? n : new DirectoryInfo(layout.Root).Name,
            Web: Web(layout, configuration, origins, environment),
            Operations: Store(configuration, origins, layout, "operations"),
            Warehouse: WarehouseStore(configuration, origins, layout),
            Orchestration: new OrchestrationSettings(
                Store(configuration, origins, layout, "orchestration"),
                Number(configuration, origins, "orchestration:max_concurrent_runs", 1, 1000),
                Number(configuration, origins, "orchestration:retention_days", 1, 36500)))
        {
            Backup = new BackupSettings(
                layout.Resolve(Required(configuration, origins, "backup:directory")),
                configuration["backup:schedule"] is { Length: > 0 } cron ? cron.Trim() : null,
                Number(configuration, origins, "backup:keep", 1, 10000)),
        };
        if (configuration["ingestion:token"] is { Length: > 0 })
        {
            throw new SettingsException($"setting ingestion.token (from {Origin(origins, "ingestion:token")}) is no longer used: stream loads take an API token of a user with the OPERATOR role (`millwright users add loader --role OPERATOR`, then `millwright tokens create --user loader`); remove the setting");
        }

        return new LoadedSettings(layout, settings, configuration, warnings) { Environment = environment };
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = entry.Value as string ?? "";
        }

        return result;
    }

    private static string Origin(Dictionary<string, string> origins, string key) =>
        origins.TryGetValue(key, out var origin) ? origin : "settings";

    private static string Display(string key) => key.Replace(':', '.');

    private static string Required(IConfiguration configuration, Dictionary<string, string> origins, string key)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new SettingsException($"setting {Display(key)} is empty (from {Origin(origins, key)})");
        }

        return value.Trim();
    }

    private static int Port(IConfiguration configuration, Dictionary<string, string> origins)
    {
        var raw = Required(configuration, origins, "web:port");
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            throw new SettingsException($"setting web.port must be a port number from 0 (any free port) to 65535, not '{raw}' (from {Origin(origins, "web:port")})");
        }

        return port;
    }

    private static WebSettings Web(WorkspaceLayout layout, IConfiguration configuration, Dictionary<string, string> origins, IReadOnlyDictionary<string, string> environment)
    {
        var hosts = configuration.GetSection("web:allowed_hosts");
        var allowed = hosts.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        if (allowed.Count == 0 && hosts.Value is { Length: > 0 } list)
        {
            allowed = [.. list.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries)];
        }

        string? File(string key)
        {
            if (configuration[key] is not { Length: > 0 } path)
            {
                return null;
            }

            var full = layout.Resolve(path);
            return System.IO.File.Exists(full) ? full : throw new SettingsException($"setting {Display(key)}: no file {full} (from {Origin(origins, key)})");
        }

        var certificate = File("web:tls:certificate");
        var key = File("web:tls:key");
        if ((certificate is null) != (key is null))
        {
            throw new SettingsException("settings web.tls.certificate and web.tls.key go together: a PEM certificate and its PEM private key");
        }

        int? metricsPort = null;
        if (configuration["web:metrics_port"] is { Length: > 0 } rawMetrics)
        {
            metricsPort = int.TryParse(rawMetrics, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is > 0 and <= 65535
                ? m
                : throw new SettingsException($"setting web.metrics_port must be a port number from 1 to 65535, not '{rawMetrics}' (from {Origin(origins, "web:metrics_port")})");
        }

        var port = Port(configuration, origins);
        if (metricsPort == port)
        {
            throw new SettingsException($"setting web.metrics_port ({metricsPort}) must differ from web.port");
        }

        return new WebSettings(Required(configuration, origins, "web:host"), port)
        {
            MetricsPort = metricsPort,
            AllowedHosts = [.. allowed.Select(h => h.Trim()).Where(h => h.Length > 0 && h != "*")],
            TlsCertificate = certificate,
            TlsKey = key,
            InitialAdminPassword = environment.TryGetValue("MILLWRIGHT_ADMIN_PASSWORD", out var password) && password.Length > 0 ? password : null,
        };
    }

    private static int Number(IConfiguration configuration, Dictionary<string, string> origins, string key, int min, int max)
    {
        var raw = Required(configuration, origins, key);
        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new SettingsException($"setting {Display(key)} must be a whole number from {min} to {max}, not '{raw}' (from {Origin(origins, key)})");
    }

    private static StoreSettings Store(
        IConfiguration configuration,
        Dictionary<string, string> origins,
        WorkspaceLayout layout,
        string section)
    {
        var providerKey = $"{section}:provider";
        var raw = Required(configuration, origins, providerKey);
        var allowed = Enum.GetValues<StoreProvider>();
        var provider = allowed.FirstOrDefault(p => string.Equals(p.ToConfigName(), raw, StringComparison.OrdinalIgnoreCase), (StoreProvider)(-1));
        if (!allowed.Contains(provider))
        {
            throw UnknownProvider(origins, section, raw, allowed.Select(p => p.ToConfigName()));
        }

        var (path, connection) = Location(configuration, origins, layout, section, raw, provider == StoreProvider.Sqlite);
        return new StoreSettings(provider, path, connection);
    }

    private static WarehouseSettings WarehouseStore(IConfiguration configuration, Dictionary<string, string> origins, WorkspaceLayout layout)
    {
        var raw = Required(configuration, origins, "warehouse:provider");
        if (!WarehouseEngines.TryParse(raw, out var engine))
        {
            throw UnknownProvider(origins, "warehouse", raw, WarehouseEngines.All.Select(e => e.Name()));
        }

        var (path, connection) = Location(configuration, origins, layout, "warehouse", raw, engine.Location() == WarehouseLocation.File);
        return new WarehouseSettings(engine, path, connection);
    }

    private static SettingsException UnknownProvider(Dictionary<string, string> origins, string section, string raw, IEnumerable<string> allowed) =>
        new($"setting {section}.provider must be one of {string.Join(", ", allowed)}, not '{raw}' (from {Origin(origins, $"{section}:provider")})");

    /// <summary>The file path of an embedded store, or the connection string of a server, checked.</summary>
    private static (string? Path, string? Connection) Location(IConfiguration configuration, Dictionary<string, string> origins, WorkspaceLayout layout, string section, string provider, bool embedded)
    {
        if (embedded)
        {
            return (layout.Resolve(Required(configuration, origins, $"{section}:path")), null);
        }

        var connectionKey = $"{section}:connection";
        var connection = configuration[connectionKey];
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new SettingsException(
                $"setting {section}.connection is required when {section}.provider is {provider}; set it in millwright.yml or MILLWRIGHT__{section.ToUpperInvariant()}__CONNECTION");
        }

        try
        {
            ConnectionStrings.Parse(connection);
        }
        catch (FormatException e)
        {
            throw new SettingsException($"setting {section}.connection (from {Origin(origins, connectionKey)}): {e.Message}", e);
        }

        return (null, connection);
    }

    private static Dictionary<string, string> ReadYaml(string file, IReadOnlyDictionary<string, string> environment, Dictionary<string, string> origins)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        YamlStream yaml;
        try
        {
            using var reader = new StreamReader(file);
            yaml = YamlDocuments.Load(reader);
        }
        catch (YamlException e)
        {
            throw new SettingsException($"{file}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {e.Message}", e);
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return values;
        }

        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            var start = yaml.Documents[0].RootNode.Start;
            throw new SettingsException($"{file}:{start.Line}:{start.Column}: expected a mapping of settings at the top level");
        }

        Flatten(file, root, "", values, environment, origins);
        return values;
    }

    private static void Flatten(
        string file,
        YamlMappingNode node,
        string prefix,
        Dictionary<string, string> values,
        IReadOnlyDictionary<string, string> environment,
        Dictionary<string, string> origins)
    {
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = prefix + ((YamlScalarNode)keyNode).Value;
            switch (valueNode)
            {
                case YamlMappingNode mapping:
                    Flatten(file, mapping, key + ":", values, environment, origins);
                    break;
                case YamlScalarNode scalar:
                    var location = $"{Path.GetFileName(file)} line {scalar.Start.Line}";
                    values[key] = Interpolate(scalar.Value ?? "", environment, key, location);
                    origins[key] = location;
                    break;
                case YamlSequenceNode sequence:
                    var index = 0;
                    foreach (var item in sequence.Children)
                    {
                        if (item is YamlScalarNode itemScalar)
                        {
                            var itemKey = $"{key}:{index.ToString(CultureInfo.InvariantCulture)}";
                            var itemLocation = $"{Path.GetFileName(file)} line {itemScalar.Start.Line}";
                            values[itemKey] = Interpolate(itemScalar.Value ?? "", environment, itemKey, itemLocation);
                            origins[itemKey] = itemLocation;
                        }
                        else if (item is YamlMappingNode itemMapping)
                        {
                            Flatten(file, itemMapping, $"{key}:{index.ToString(CultureInfo.InvariantCulture)}:", values, environment, origins);
                        }

                        index++;
                    }

                    break;
            }
        }
    }

    private static string Interpolate(string value, IReadOnlyDictionary<string, string> environment, string key, string location) =>
        EnvReference().Replace(value, match =>
        {
            var name = match.Groups["name"].Value;
            if (environment.TryGetValue(name, out var found))
            {
                return found;
            }

            if (match.Groups["default"].Success)
            {
                return match.Groups["default"].Value;
            }

            throw new SettingsException($"{location}: setting {Display(key)} refers to environment variable {name}, which is not set");
        });

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:-(?<default>[^}]*))?\}")]
    private static partial Regex EnvReference();
}

/// <summary>Validated settings together with the raw configuration, for sections that later engines read.</summary>
public sealed record LoadedSettings(
    WorkspaceLayout Workspace,
    MillwrightSettings Settings,
    IConfiguration Configuration,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The environment the settings were read from, for the variables engines look up beside them (MILLWRIGHT_DATASETS).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>An environment variable as the settings saw it; null when unset.</summary>
    public string? Variable(string name) => Environment.TryGetValue(name, out var value) ? value : null;
}

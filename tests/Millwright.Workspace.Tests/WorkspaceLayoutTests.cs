using Millwright.Warehouse;
namespace Millwright.Workspace.Tests;

public sealed class WorkspaceLayoutTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-layout-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Init_creates_the_workspace_whose_settings_load_to_the_defaults()
    {
        var result = WorkspaceLayout.Init(Path.Combine(_root, "plant-a"));

        Assert.False(result.AlreadyInitialized);
        Assert.Equal(["millwright.yml", "pipelines/", ".millwright/", ".gitignore"], result.Created);
        Assert.Equal([".millwright/", "landing/simulated/"], File.ReadAllLines(Path.Combine(_root, "plant-a", ".gitignore")));
        var loaded = SettingsLoader.Load(result.Workspace, environment: new Dictionary<string, string>());
        Assert.Equal("plant-a", loaded.Settings.Name);
        Assert.Equal(WarehouseEngine.DuckDb, loaded.Settings.Warehouse.Engine);
        Assert.Empty(loaded.Warnings);
    }

    [Fact]
    public void Init_twice_never_overwrites_millwright_yml()
    {
        var dir = Path.Combine(_root, "w");
        WorkspaceLayout.Init(dir);
        File.WriteAllText(Path.Combine(dir, "millwright.yml"), "name: edited\n");

        var again = WorkspaceLayout.Init(dir);

        Assert.True(again.AlreadyInitialized);
        Assert.Empty(again.Created);
        Assert.Equal("name: edited\n", File.ReadAllText(Path.Combine(dir, "millwright.yml")));
    }

    [Fact]
    public void Discover_finds_the_nearest_workspace_above_a_subfolder()
    {
        WorkspaceLayout.Init(_root);
        var deep = Directory.CreateDirectory(Path.Combine(_root, "pipelines", "fleet", "models")).FullName;

        var found = WorkspaceLayout.Discover(deep);

        Assert.Equal(_root, found.Root);
        Assert.True(found.HasConfigFile);
    }

    [Fact]
    public void ConnectionStrings_mask_every_secret_key()
    {
        var masked = ConnectionStrings.Redact("Host=db;Username=mw;Password=p4ss;SSL Password=k3y");

        Assert.Equal("Host=db;Username=mw;Password=***;SSL Password=***", masked);
    }
}

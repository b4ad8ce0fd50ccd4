using Microsoft.Data.Sqlite;
using Millwright.Operations.Data;

[assembly: AssemblyFixture(typeof(Millwright.Simulation.Tests.SimulatedYear))]

namespace Millwright.Simulation.Tests;

/// <summary>One simulated year of a 150-vehicle business (fleet, workshops, plant, shop), shared by the tests that read it.</summary>
public sealed class SimulatedYear : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-sim-year-").FullName;
    private readonly List<RetailBatch> _batches = [];

    public static SimulationOptions Options { get; } = new() { Seed = 7, Scale = 0.3, Days = 365, Start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc) };

    public string DatabasePath => Path.Combine(_root, "operations.db");

    public string OutputDirectory => Path.Combine(_root, "landing");

    public SimulationSummary Summary { get; private set; } = null!;

    public OperationsStore Store { get; private set; } = null!;

    public IReadOnlyList<RetailBatch> Batches => _batches;

    public async ValueTask InitializeAsync()
    {
        Summary = await Simulator.RunAsync(clock => OperationsStore.Sqlite(DatabasePath, clock), Options with
        {
            OutputDirectory = OutputDirectory,
            RetailSink = (batch, _) =>
            {
                _batches.Add(batch);
                return Task.CompletedTask;
            },
        });
        Store = OperationsStore.Sqlite(DatabasePath);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }
}

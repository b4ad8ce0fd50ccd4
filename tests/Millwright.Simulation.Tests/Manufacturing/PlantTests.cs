using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Ingestion.Datasets;
using Millwright.Ingestion.Files;
using Millwright.Warehouse;

namespace Millwright.Simulation.Tests.Manufacturing;

/// <summary>The plant's year: OEE in the range real plants see, machine states that add up, AI4I-shaped process data.</summary>
public sealed class PlantTests(SimulatedYear year)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Oee_lands_between_40_and_85_percent_for_every_machine()
    {
        await using var db = year.Store.CreateContext();
        var runs = await db.ProductionRuns.AsNoTracking().ToListAsync(Ct);
        var byMachine = runs.GroupBy(r => r.EquipmentId)
            .Select(g => (Machine: g.Key, Oee: g.Sum(r => r.GoodQuantity * (double)r.IdealCycleTimeSeconds) / g.Sum(r => (double)r.PlannedBusyMinutes * 60)))
            .ToList();

        Assert.Equal(4, byMachine.Count);
        Assert.All(byMachine, m => Assert.InRange(m.Oee, 0.40, 0.85));
        Assert.True(runs.Sum(r => r.ScrapQuantity) > 0 && runs.Sum(r => r.ReworkQuantity) > 0);
        Assert.All(runs, r => Assert.Equal(r.ProducedQuantity, r.GoodQuantity + r.ScrapQuantity + r.ReworkQuantity));

        var states = await db.EquipmentStateEvents.AsNoTracking().ToListAsync(Ct);
        var kinds = states.GroupBy(s => s.State).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(kinds[EquipmentState.Producing] > 1000 && kinds[EquipmentState.Setup] > 400 && kinds[EquipmentState.PlannedDown] > 400);
        Assert.True(kinds[EquipmentState.Idle] > 100 && kinds[EquipmentState.UnplannedDown] > 20);
        Assert.All(states, s => Assert.True(s.EndedAt > s.StartedAt));
        Assert.True(await db.ServiceOrders.AnyAsync(o => o.AssetDown && db.Equipment.Any(e => e.Id == o.AssetId), Ct), "a machine failure opened a maintenance order");
    }

    [Fact]
    public async Task Every_machine_is_serviced_under_its_quarterly_plan_so_the_planner_sees_when_it_was_last_done()
    {
        await using var db = year.Store.CreateContext();
        var plans = await db.PmPlans.AsNoTracking().Where(p => p.AssetId != null && db.Equipment.Any(e => e.Id == p.AssetId)).ToListAsync(Ct);
        var end = SimulatedYear.Options.Start!.Value.AddDays(SimulatedYear.Options.Days);

        Assert.Equal(4, plans.Count);
        foreach (var plan in plans)
        {
            var done = await db.ServiceOrders.AsNoTracking()
                .Where(o => o.PmPlanId == plan.Id && o.CompletedAt != null)
                .Select(o => new { o.AssetId, o.Type, CompletedAt = o.CompletedAt!.Value }).ToListAsync(Ct);
            Assert.All(done, o => Assert.Equal((plan.AssetId!.Value, ServiceOrderType.Preventive), (o.AssetId, o.Type)));
            Assert.True(done.Count >= 3, $"{plan.Code}: {done.Count} services in a year under a 90-day plan");
            Assert.True(done.Max(o => o.CompletedAt) >= end.AddDays(-(plan.IntervalDays!.Value + 30)), $"{plan.Code}: last done {done.Max(o => o.CompletedAt):yyyy-MM-dd}, the year ends {end:yyyy-MM-dd}");
        }
    }

    [Fact]
    public async Task Process_files_load_under_the_real_ai4i_2020_contract_with_failures_in_its_proportions()
    {
        var files = Directory.GetFiles(Path.Combine(year.OutputDirectory, "process"), "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var root = Directory.CreateTempSubdirectory("mw-sim-ai4i-").FullName;
        try
        {
            await using var warehouse = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(root, "w.duckdb")));
            var ingestor = new FileIngestor(warehouse, new IngestionOptions { RawLayerPath = Path.Combine(root, "raw") });
            foreach (var file in files.Where(f => f.Contains("L2-LATHE", StringComparison.Ordinal)).Take(20))
            {
                var load = await ingestor.IngestAsync(file, PublicDatasets.Ai4i, cancellationToken: Ct);
                Assert.True(load.RowsRejected == 0, $"{file}: {load.RowsRejected} rejected ({load.Error})");
            }

            var rows = files.SelectMany(f => File.ReadLines(f).Skip(1)).Select(l => l.Split(',')).ToList();
            Assert.True(rows.Count > 20_000);
            var failureRate = rows.Average(r => r[8] == "1" ? 1.0 : 0.0);
            Assert.InRange(failureRate, 0.005, 0.08); // AI4I 2020: 3.4 %
            Assert.InRange(rows.Average(r => double.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture)), 297.0, 302.0);
            Assert.InRange(rows.Average(r => double.Parse(r[5], System.Globalization.CultureInfo.InvariantCulture)), 1450.0, 1650.0);
            Assert.Equal(File.ReadLines(files[0]).First(), Ai4iHeader());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The real data set's header when it is here, else the header its documentation gives.</summary>
    private static string Ai4iHeader()
    {
        var real = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/datasets/ai4i2020/ai4i2020.csv"));
        return File.Exists(real)
            ? File.ReadLines(real).First().TrimStart('\uFEFF')
            : "UDI,Product ID,Type,Air temperature [K],Process temperature [K],Rotational speed [rpm],Torque [Nm],Tool wear [min],Machine failure,TWF,HDF,PWF,OSF,RNF";
    }
}

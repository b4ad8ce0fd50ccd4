using Millwright.Domain;
using Millwright.Operations;
using Millwright.Operations.Data;
using Millwright.Simulation.Core;
using Millwright.Simulation.Fleet;
using Millwright.Simulation.Manufacturing;
using Millwright.Simulation.Retail;
using Millwright.Simulation.Workshop;

namespace Millwright.Simulation;

/// <summary>A simulation that cannot run as asked (bad options, a store that already holds data).</summary>
public sealed class SimulationException(string message) : Exception(message);

/// <summary>
/// Writes a deterministic history of a maintenance business into an operational store, through its use cases, as a
/// discrete-event simulation on a simulated clock: the same options on an empty store give the same rows.
/// </summary>
public static class Simulator
{
    /// <summary>
    /// Runs the simulation. <paramref name="openStore"/> opens the operational store with the clock it is given (the
    /// simulated one); the store must hold no vehicles or equipment yet.
    /// </summary>
    public static async Task<SimulationSummary> RunAsync(Func<TimeProvider, OperationsStore> openStore, SimulationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(openStore);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var start = Start(options);
        var clock = new SimulationClock(start);
        var store = openStore(clock);
        await using (store.ConfigureAwait(false))
        {
            await OperationsSetup.MigrateAsync(store, cancellationToken).ConfigureAwait(false);
            await using var gateway = new ServicesGateway(store);
            return await RunAsync(gateway, store.Target, clock, start, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the simulation against a running Millwright through its HTTP API (<paramref name="http"/> has the base
    /// address). The server stamps every write with its own clock, so this runs live from now only: no history
    /// (<see cref="SimulationOptions.Days"/> 0, no start date), <see cref="SimulationOptions.Follow"/>; a
    /// <see cref="SimulationOptions.Speed"/> above 1 runs the business faster while the server's timestamps stay real.
    /// </summary>
    public static Task<SimulationSummary> RunViaApiAsync(HttpClient http, SimulationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        if (options.Days != 0 || !options.Follow || options.Start is not null)
        {
            throw new SimulationException("through the HTTP API the server stamps every write with its own clock: the simulation runs in real time from now (follow, no days of history, no start date)");
        }

        var start = options.RealTime.GetUtcNow().UtcDateTime;
        start = new DateTime(start.Ticks - (start.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        return RunAsync(new HttpGateway(http), http.BaseAddress?.ToString() ?? "the server", new SimulationClock(start), start, options, cancellationToken);
    }

    private static async Task<SimulationSummary> RunAsync(IOperationsGateway operations, string target, SimulationClock clock, DateTime start, SimulationOptions options, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var end = start.AddDays(options.Days);
        var assets = await operations.AssetCountAsync(cancellationToken).ConfigureAwait(false);
        if (assets > 0)
        {
            throw new SimulationException($"the operational store {target} already holds {assets} vehicles and machines; the simulator writes a new history into an empty store");
        }

        // With DayTransactions, history is written a simulated day at a time: each day's use cases (each all or nothing,
        // as always) become durable together at the day's end, one commit instead of hundreds; a run stopped part-way
        // keeps whole days. Never while retail batches are posted to a server during the run: that server may write to
        // the same store, and must never wait on a transaction that is itself waiting for the server's answer.
        var batched = options.DayTransactions && options.RetailSink is null;
        if (batched)
        {
            await operations.BeginBatchAsync(cancellationToken).ConfigureAwait(false);
        }

        var loop = new EventLoop(clock);
        var sim = new SimContext(operations, loop, options);
        foreach (var (code, id) in await operations.DiagnosticCodeIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            sim.DiagnosticCodeIds[code] = id;
        }

        var workshop = new WorkshopEngine(sim, new Rng(options.Seed, "workshop"));
        var sites = await SetupSitesAsync(sim, cancellationToken).ConfigureAwait(false);
        foreach (var site in sites)
        {
            workshop.Add(site);
        }

        if (options.Fleet)
        {
            await new FleetEngine(sim, workshop).SetupAsync([.. sites.Where(s => s.Kind == SiteKind.Workshop)], cancellationToken).ConfigureAwait(false);
        }

        if (options.Manufacturing)
        {
            await new PlantEngine(sim, workshop).SetupAsync(sites.Single(s => s.Kind == SiteKind.Plant), cancellationToken).ConfigureAwait(false);
        }

        if (options.Retail)
        {
            new RetailEngine(sim).Start(options.RetailDays is { } retailDays && retailDays < options.Days ? start.AddDays(options.Days - retailDays) : start);
        }

        var daysDone = 0;
        ScheduleProgress(sim, start.Date, () => ++daysDone, batched ? end : null);
        await loop.RunUntilAsync(end, null, cancellationToken).ConfigureAwait(false);
        await operations.CommitBatchAsync(cancellationToken).ConfigureAwait(false);
        if (options.Follow)
        {
            var anchor = options.RealTime.GetUtcNow().UtcDateTime;
            var realTime = options.Speed == 1 && options.Start is null;
            var until = options.FollowFor is { } span ? end + span : DateTime.MaxValue;
            var historyEnd = end;
            try
            {
                await loop.RunUntilAsync(until, async (at, ct) =>
                {
                    var due = realTime ? at : anchor.AddTicks((long)((at - historyEnd).Ticks / options.Speed));
                    var delay = due - options.RealTime.GetUtcNow().UtcDateTime;
                    if (delay > TimeSpan.Zero)
                    {
                        await Task.Delay(delay, options.RealTime, ct).ConfigureAwait(false);
                    }
                }, cancellationToken).ConfigureAwait(false);
                end = until;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Following ends when the caller stops it: what happened so far is written, each step in its own transaction.
                end = loop.Now;
            }
        }

        return new SimulationSummary(start, end, watch.Elapsed, sim.Counts.Snapshot());
    }

    private static DateTime Start(SimulationOptions options) =>
        DateTime.SpecifyKind((options.Start ?? options.RealTime.GetUtcNow().UtcDateTime.Date.AddDays(-options.Days)).Date, DateTimeKind.Utc);

    private static void Validate(SimulationOptions options)
    {
        if (options.Scale is <= 0 or > 20 || double.IsNaN(options.Scale))
        {
            throw new SimulationException($"scale must be above 0 and at most 20, not {options.Scale}");
        }

        if (options.Days is < 0 or > 3660)
        {
            throw new SimulationException($"days must be between 0 and 3660, not {options.Days}");
        }

        if (options.RetailOrdersPerDay is < 0 or > 10_000_000 || (options.RetailOrdersPerDay is { } rate && double.IsNaN(rate)))
        {
            throw new SimulationException($"retail orders per day must be between 0 and 10,000,000, not {options.RetailOrdersPerDay}");
        }

        if (options.Speed is <= 0 || double.IsNaN(options.Speed))
        {
            throw new SimulationException($"speed must be positive, not {options.Speed}");
        }

        if (!options.Fleet && !options.Manufacturing && !options.Retail)
        {
            throw new SimulationException("nothing to simulate: fleet, manufacturing and retail are all off");
        }
    }

    /// <summary>At each day's end: its batch committed and the next begun (days before <paramref name="batchedUntil"/>, the end of batched history), then progress reported.</summary>
    private static void ScheduleProgress(SimContext sim, DateTime day, Func<int> done, DateTime? batchedUntil)
    {
        sim.Loop.At(day.AddDays(1).AddTicks(-1), async () =>
        {
            if (day.AddDays(1) < batchedUntil)
            {
                await sim.Ops.CommitBatchAsync(CancellationToken.None).ConfigureAwait(false);
                await sim.Ops.BeginBatchAsync(CancellationToken.None).ConfigureAwait(false);
            }

            var n = done();
            sim.Options.Progress?.Report(new SimulationProgress(day, n, Math.Max(n, sim.Options.Days), sim.Counts.Snapshot()));
            ScheduleProgress(sim, day.AddDays(1), done, batchedUntil);
        });
    }

    /// <summary>Workshops (one per 170 vehicles, at most three) and the plant, each with its stock location, mechanics and opening stock.</summary>
    private static async Task<List<SiteSim>> SetupSitesAsync(SimContext sim, CancellationToken cancellationToken)
    {
        var rng = new Rng(sim.Seed, "sites");
        var vehicles = Math.Max(5, (int)Math.Round(500 * sim.Options.Scale));
        var workshopCount = sim.Options.Fleet ? Math.Clamp((int)Math.Ceiling(vehicles / 170.0), 1, 3) : 0;
        var specs = new[] { ("WS-LIS", "Lisboa EV Workshop", 1.5), ("WS-OPO", "Porto EV Workshop", -1.5), ("WS-FAO", "Faro EV Workshop", 3.5) };
        foreach (var supplier in Catalog.Suppliers)
        {
            var created = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new Supplier
            {
                Code = supplier.Code, Name = supplier.Name, LeadTimeDays = supplier.LeadTimeDays,
                Email = $"orders@{supplier.Code[4..].ToLowerInvariant()}.example",
            }, cancellationToken).ConfigureAwait(false);
            sim.SupplierIds[supplier.Code] = created.Id;
        }

        foreach (var part in Catalog.Parts)
        {
            var created = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new Part
            {
                Sku = part.Sku, Name = part.Name, Category = part.Category, Unit = part.Unit, StandardCost = part.Cost,
                ReorderPoint = part.ReorderPoint, ReorderQuantity = part.ReorderQuantity,
            }, cancellationToken).ConfigureAwait(false);
            sim.PartIds[part.Sku] = created.Id;
            var supplier = Catalog.Suppliers.First(s => s.Code == part.Supplier);
            await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new SupplierPart
            {
                SupplierId = sim.SupplierIds[supplier.Code], PartId = created.Id, SupplierSku = $"{supplier.Code[4..]}-{part.Sku}",
                UnitPrice = Math.Round(part.Cost * (decimal)rng.Uniform(0.92, 1.05), 2), LeadTimeDays = supplier.LeadTimeDays, IsPreferred = true,
            }, cancellationToken).ConfigureAwait(false);
        }

        var sites = new List<SiteSim>();
        var mechanicNumber = 0;
        for (var i = 0; i < workshopCount + (sim.Options.Manufacturing ? 1 : 0); i++)
        {
            var plant = i == workshopCount;
            var (code, name, climate) = plant ? ("PL-SET", "Setúbal Drive Unit Plant", 2.0) : specs[i];
            var site = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new Site
            {
                Code = code, Name = name, Kind = plant ? SiteKind.Plant : SiteKind.Workshop, TimeZone = "UTC",
            }, cancellationToken).ConfigureAwait(false);
            var location = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new StockLocation
            {
                Code = $"{code}-STOCK", Name = $"{name} stores", Kind = LocationKind.Stock, SiteId = site.Id,
            }, cancellationToken).ConfigureAwait(false);
            var sim2 = new SiteSim { Id = site.Id, Code = code, LocationId = location.Id, Kind = site.Kind, ClimateOffsetC = climate };
            sim2.Parts.AddRange(Catalog.Parts.Where(p => plant == (p.Category == "machine")));
            var mechanics = plant
                ? Math.Max(2, (int)Math.Round(4 * Math.Max(0.34, sim.Options.Scale)))
                : Math.Max(2, (int)Math.Ceiling(vehicles / (double)workshopCount / 34));
            for (var m = 0; m < mechanics; m++)
            {
                var mrng = new Rng(sim.Seed, "mechanic", ++mechanicNumber);
                var level = Math.Clamp((int)Math.Round(mrng.Normal(3, 1)), 1, 5);
                var fullName = $"{mrng.Pick(Catalog.FirstNames)} {mrng.Pick(Catalog.LastNames)}";
                var mechanic = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new Mechanic
                {
                    EmployeeNumber = $"M{mechanicNumber:D4}", Name = fullName, SiteId = site.Id,
                    HourlyCost = 22m + (level * 4m), BillableRate = 58m + (level * 9m),
                }, cancellationToken).ConfigureAwait(false);
                foreach (var skill in plant ? new[] { "mechanical", "electrical", "plc" } : ["hv_battery", "drive_motor", "brakes", "diagnostics"])
                {
                    await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new MechanicSkill
                    {
                        MechanicId = mechanic.Id, Skill = skill, Level = Math.Clamp(level + mrng.Int(-1, 2), 1, 5),
                    }, cancellationToken).ConfigureAwait(false);
                }

                sim2.Mechanics.Add(new MechanicSim
                {
                    Id = mechanic.Id, Site = sim2,
                    Shift = m % 2 == 0 ? Shift.Early : Shift.Late, Level = level, WorksSaturday = m % 3 == 0 && !plant,
                    Actor = new Actor($"{mechanic.EmployeeNumber.ToLowerInvariant()}.{Text.Ascii(fullName.Split(' ')[0])}", Role.Mechanic, mechanic.Id),
                });
            }

            sim.Counts.Mechanics += mechanics;
            await OpeningStockAsync(sim, sim2, cancellationToken).ConfigureAwait(false);
            sites.Add(sim2);
        }

        return sites;
    }

    /// <summary>The first delivery into a site's stores, through purchasing so that every unit of stock has its ledger row.</summary>
    private static async Task OpeningStockAsync(SimContext sim, SiteSim site, CancellationToken cancellationToken)
    {
        foreach (var group in site.Parts.Where(p => p.ReorderPoint > 0).GroupBy(p => p.Supplier, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var lines = group.Select(p => new PurchaseLineInput(sim.PartIds[p.Sku], (p.ReorderPoint * 2) + p.ReorderQuantity)).ToList();
            var po = await sim.Ops.CreatePurchaseOrderAsync(sim.Scope(sim.Planner), sim.SupplierIds[group.Key], site.LocationId, lines, sim.Loop.Now, "opening stock", cancellationToken).ConfigureAwait(false);
            await sim.Ops.SubmitPurchaseOrderAsync(sim.Scope(sim.Planner), po.Id, cancellationToken).ConfigureAwait(false);
            await sim.Ops.ApprovePurchaseOrderAsync(sim.Scope(sim.Manager), po.Id, cancellationToken).ConfigureAwait(false);
            var receipt = await sim.Ops.OutstandingLinesAsync(po.Id, cancellationToken).ConfigureAwait(false);
            await sim.Ops.ReceivePurchaseOrderAsync(sim.Scope(sim.Planner), po.Id, receipt, cancellationToken).ConfigureAwait(false);

            await sim.Ops.ClosePurchaseOrderAsync(sim.Scope(sim.Manager), po.Id, cancellationToken).ConfigureAwait(false);
            sim.Counts.PurchaseOrders++;
        }
    }
}

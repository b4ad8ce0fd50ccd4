using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations;
using Millwright.Operations.Data;
using Millwright.Orchestration;
using Millwright.Orchestration.Storage;
using Millwright.Warehouse;
using Millwright.Workspace;

namespace Millwright.Pipelines.Tests;

/// <summary>
/// <c>ml:</c> assets end to end on a real operational store: a model trained from a SQL asset, a daily prediction that
/// opens PREDICTIVE orders for the risky vehicles (once per vehicle while one is open), and the orders' findings
/// measuring the model's precision.
/// </summary>
public sealed class MlAssetsTests : IAsyncLifetime
{
    private readonly PlantWorkspace _workspace = new();
    private OperationsStore _store = null!;
    private long[] _vehicles = [];
    private string _days = "", _today = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string OperationsPath => Path.Combine(_workspace.Root, ".millwright", "operations.db");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(OperationsPath)!);
        _store = OperationsStore.Sqlite(OperationsPath);
        await _store.MigrateAsync(Ct);
        var admin = OperationScope.For(new Actor("admin", Role.Admin));
        var master = new MasterData(_store);
        var site = await master.CreateAsync(admin, new Site { Code = "WS-LIS", Name = "Lisbon", Kind = SiteKind.Workshop }, Ct);
        var model = await master.CreateAsync(admin, new VehicleModel { Code = "ZE-50", Make = "Volta", Name = "ZE 50", BodyType = BodyType.Car, Chemistry = BatteryChemistry.Lfp, NominalKwh = 52 }, Ct);
        var vehicles = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            vehicles.Add((await master.RegisterVehicleAsync(admin, new RegisterVehicle($"VEH-{i:000}", site.Id, $"WVWZZZ1KZ8W{i:000000}", model.Id, 2023), Ct)).Id);
        }

        _vehicles = [.. vehicles];
        File.Delete(Path.Combine(_workspace.Plant, "dbt_project.yml"));
        // 2,000 vehicle-days whose failures follow wear and temperature; today, the first three vehicles run hot and worn.
        var days = _days = $"""
            select i as row_id, {_vehicles[0]} + (i % 20) as vehicle_id,
                cast(((i * 7919) % 1000) as double precision) / 1000 as wear,
                cast(((i * 104729) % 997) as double precision) / 997 as temperature,
                ((i * 7919) % 1000) / 1000.0 + ((i * 104729) % 997) / 997.0 > 1.2 as failed
            from generate_series(1, 2000) as s(i)
            """;
        var today = _today = $"select {_vehicles[0]} + i as vehicle_id, case when i < 3 then 0.99 else 0.05 end as wear, case when i < 3 then 0.98 else 0.1 end as temperature from generate_series(0, 19) as s(i)";
        _workspace.Write("pipeline.yml", $$"""
            extract:
              tables: [service_orders]
              group: operations
            assets:
              - key: features/vehicle_days
                sql: "{{days.ReplaceLineEndings(" ")}}"
              - key: features/today
                sql: "{{today}}"
              - key: ml/failure
                deps: [features/vehicle_days]
                ml:
                  train:
                    task: binary
                    label: failed
                    keys: [row_id]
                    split_by: vehicle_id
                    features: select * from features.vehicle_days
                    parameters: {trees: 50, min_leaf: 10}
                    targets: {auc: 0.6, f1: 0.5}
              - key: ml/failure_predictions
                deps: [ml/failure, features/today]
                ml:
                  predict:
                    model: failure
                    asset: vehicle_id
                    features: select * from features.today
                  orders: {threshold: 50, priority: high}
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _workspace.Dispose();
    }

    private Task<LoadedPipelines> LoadAsync() =>
        PipelineCatalog.LoadAsync(new PipelineOptions(_workspace.Pipelines, WarehouseOptions.DuckDb(_workspace.WarehousePath))
        {
            Operations = () => WorkspaceOrchestration.OperationsSourceAsync(new StoreSettings(StoreProvider.Sqlite, OperationsPath, null)),
            ModelsDirectory = Path.Combine(_workspace.Root, ".millwright", "models"),
            OperationsStore = _ => Task.FromResult(OperationsStore.Sqlite(OperationsPath)),
        }, Ct);

    [Fact]
    public async Task A_risky_prediction_opens_one_predictive_order_per_vehicle_with_its_evidence_and_the_findings_measure_precision()
    {
        await using var loaded = await LoadAsync();
        Assert.Equal(["ml", "model"], loaded.Definitions.Spec(new("ml/failure")).Kinds);
        await using var storage = await StorageAsync();
        await using var orchestrator = new Orchestrator(loaded.Definitions, storage);

        var first = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);
        var again = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "ml/failure_predictions" }, Ct);

        Assert.Equal((RunStatus.Success, RunStatus.Success), (first.Status, again.Status));
        List<ServiceOrder> orders;
        await using (var db = _store.CreateContext())
        {
            orders = await db.ServiceOrders.AsNoTracking().OrderBy(o => o.AssetId).ToListAsync(Ct);
            Assert.Equal(_vehicles[..3], orders.Select(o => o.AssetId));
            Assert.All(orders, o => Assert.Equal((ServiceOrderType.Predictive, Priority.High, ServiceOrderStatus.Open), (o.Type, o.Priority, o.Status)));
            Assert.All(orders, o => Assert.Matches(@"^Predicted failure risk \d+(\.\d)? % \(threshold 50 %\) by model failure v1 on \d{4}-\d\d-\d\d\. Strongest signals: (wear|temperature) = ", o.Description));
            var opened = await db.StatusHistory.AsNoTracking().Where(h => h.ServiceOrderId == orders[0].Id).SingleAsync(Ct);
            Assert.Equal("model:failure v1", opened.Actor);
        }

        var actions = await RowsAsync(loaded.Warehouse, "select action, count(*) from ml.predicted_orders group by action order by action");
        Assert.Equal([("ALREADY_OPEN", 3L), ("OPENED", 3L)], actions);
        Assert.Equal(20L, await loaded.Warehouse.QueryScalarAsync("select count(*) from ml.maintenance_predictions", Ct));

        // The workshop inspects: one order finds the fault, one finds nothing, one is still open.
        await using (var db = _store.CreateContext())
        {
            foreach (var (order, code) in orders.Take(2).Zip(["REPLACED_INVERTER", "NO_FAULT_FOUND"]))
            {
                await db.ServiceOrders.Where(o => o.Id == order.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, ServiceOrderStatus.Completed).SetProperty(o => o.ResolutionCode, code).SetProperty(o => o.Version, o => o.Version + 1), Ct);
            }
        }

        Assert.Equal(RunStatus.Success, (await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw/service_orders" }, Ct)).Status);
        var outcome = Assert.Single(await PipelineModels.OutcomesAsync(loaded.Warehouse, Ct));
        Assert.Equal(("failure", 1, 3L, 3L, 2L, 1L), (outcome.Model, outcome.Version, outcome.Opened, outcome.AlreadyOpen, outcome.Completed, outcome.FaultFound));
        Assert.Equal(0.5, outcome.Precision);

        // With the first order completed, a new risk on its vehicle opens a new order.
        Assert.Equal(RunStatus.Success, (await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "ml/failure_predictions" }, Ct)).Status);
        await using (var db = _store.CreateContext())
        {
            Assert.Equal(5, await db.ServiceOrders.CountAsync(Ct));
        }
    }

    [Fact]
    public async Task A_workspace_too_young_to_train_skips_the_model_and_its_predictions_and_the_run_stays_green()
    {
        var file = Path.Combine(_workspace.Plant, "pipeline.yml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("generate_series(1, 2000)", "generate_series(1, 12)", StringComparison.Ordinal));
        await using var loaded = await LoadAsync();
        await using var storage = await StorageAsync();
        await using var orchestrator = new Orchestrator(loaded.Definitions, storage);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);

        Assert.Equal(RunStatus.Success, run.Status);
        var skipped = (await storage.GetRunEventsAsync(run.RunId, 0, 1000, Ct)).Where(e => e.Type == EventTypes.AssetSkipped).ToDictionary(e => e.AssetKey!, e => e.Message);
        Assert.Contains("not trained: model failure: the feature query gave 12 labelled row(s); at least 20 are needed", skipped["ml/failure"], StringComparison.Ordinal);
        Assert.Contains("upstream ml/failure", skipped["ml/failure_predictions"], StringComparison.Ordinal);
        await using var db = _store.CreateContext();
        Assert.Equal(0, await db.ServiceOrders.CountAsync(Ct));
    }

    [Fact]
    public async Task Proposed_risks_wait_for_a_planner_who_opens_or_dismisses_each_one()
    {
        var file = Path.Combine(_workspace.Plant, "pipeline.yml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("orders: {threshold: 50, priority: high}", "orders: {threshold: 50, mode: propose}", StringComparison.Ordinal));
        await using var loaded = await LoadAsync();
        await using var storage = await StorageAsync();
        await using var orchestrator = new Orchestrator(loaded.Definitions, storage);
        Assert.Equal(RunStatus.Success, (await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct)).Status);
        await using (var db = _store.CreateContext())
        {
            Assert.Equal(0, await db.ServiceOrders.CountAsync(Ct));
        }

        var proposals = new ModelProposals(loaded.Warehouse);
        var pending = await proposals.PendingAsync(Ct);
        Assert.Equal(_vehicles[..3].Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), pending.Select(p => p.Asset).Order());
        Assert.All(pending, p => Assert.StartsWith("Predicted failure risk", p.Evidence, StringComparison.Ordinal));

        var planner = OperationScope.For(new Actor("pia.planner", Role.Planner));
        var order = await proposals.AcceptAsync(new ServiceOrders(_store), planner, pending[0], Ct);
        await proposals.DismissAsync(planner, pending[1], Ct);

        Assert.Equal([pending[2].Asset], (await proposals.PendingAsync(Ct)).Select(p => p.Asset));
        Assert.Equal((ServiceOrderType.Predictive, pending[0].Asset), (order.Type, order.AssetId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.EndsWith("Proposed by the model; accepted by pia.planner.", order.Description, StringComparison.Ordinal);
        await using (var db = _store.CreateContext())
        {
            Assert.Equal("pia.planner", (await db.StatusHistory.AsNoTracking().SingleAsync(h => h.ServiceOrderId == order.Id, Ct)).Actor);
        }

        // A new day's proposal for the dismissed vehicle asks again; the accepted one is not asked while its order is open.
        Assert.Equal(RunStatus.Success, (await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "ml/failure_predictions" }, Ct)).Status);
        var again = await proposals.PendingAsync(Ct);
        Assert.True(new[] { pending[1].Asset, pending[2].Asset }.Order().SequenceEqual(again.Select(p => p.Asset).Order()), $"first: {string.Join(", ", pending.Select(p => $"{p.Asset} {p.FailureProbability} {p.PredictedAt:O}"))}; again: {string.Join(", ", again.Select(p => $"{p.Asset} {p.FailureProbability} {p.PredictedAt:O}"))}");
        var outcome = Assert.Single(await PipelineModels.OutcomesAsync(loaded.Warehouse, Ct));
        Assert.Equal((1L, 1L, 5L), (outcome.Opened, outcome.AlreadyOpen, outcome.Proposed));
    }

    [Fact]
    public async Task The_same_assets_defined_in_csharp_train_predict_and_open_orders()
    {
        await using var warehouse = Warehouses.Open(WarehouseOptions.DuckDb(_workspace.WarehousePath));
        await warehouse.CreateSchemaAsync("features", Ct);
        await warehouse.CreateOrReplaceAsync(RelationName.Of("features", "vehicle_days"), RelationKind.Table, _days, Ct);
        await warehouse.CreateOrReplaceAsync(RelationName.Of("features", "today"), RelationKind.Table, _today, Ct);
        var registry = new Learning.ModelRegistry(warehouse, Path.Combine(_workspace.Root, "models"));
        var definitions = Orchestration.Definitions.Definitions.Builder()
            .Add(ModelAssets.Train(new Orchestration.Definitions.AssetSpec(new("ml/failure")), new Learning.ModelDefinition("failure", Learning.ModelTask.Binary, "failed", "select * from features.vehicle_days")
            {
                Keys = ["row_id"],
                SplitBy = "vehicle_id",
            }, registry))
            .Add(ModelAssets.Predict(new Orchestration.Definitions.AssetSpec(new("ml/failure_predictions")) { Deps = [new(new("ml/failure"))] },
                new Learning.PredictionDefinition("failure", "select * from features.today") { AssetColumn = "vehicle_id" }, registry,
                new PredictiveOrderPolicy(50, Propose: false, Priority.Critical), _ => Task.FromResult(OperationsStore.Sqlite(OperationsPath))))
            .Build();
        await using var storage = await StorageAsync();
        await using var orchestrator = new Orchestrator(definitions, storage);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);

        Assert.Equal(RunStatus.Success, run.Status);
        Assert.Equal(["ml", "predictions"], definitions.Spec(new("ml/failure_predictions")).Kinds);
        await using var db = _store.CreateContext();
        Assert.Equal(_vehicles[..3], await db.ServiceOrders.Where(o => o.Priority == Priority.Critical).OrderBy(o => o.AssetId).Select(o => o.AssetId).ToListAsync(Ct));
    }

    [Fact]
    public void The_pipelines_models_are_listed_with_their_definitions()
    {
        var model = Assert.Single(PipelineModels.Read(_workspace.Pipelines));
        Assert.Equal(("plant", "ml/failure", "failure", "vehicle_id"), (model.Pipeline, model.Asset, model.Definition.Name, model.Definition.SplitBy));
        // 'auc', as pipeline files written before the metric was renamed say, is read as roc_auc.
        Assert.Equal(["f1", "roc_auc"], model.Definition.Targets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([("plant", "ml/failure_predictions", "failure")], PipelineModels.Predictions(_workspace.Pipelines).Select(p => (p.Pipeline, p.Asset, p.Model)));
    }

    private async Task<IOrchestrationStorage> StorageAsync()
    {
        var storage = OrchestrationStores.Sqlite(_workspace.StatePath);
        await storage.InitializeAsync(Ct);
        return storage;
    }

    private static async Task<List<(string, long)>> RowsAsync(IWarehouse warehouse, string sql)
    {
        var rows = new List<(string, long)>();
        await using var result = await warehouse.QueryAsync(sql, Ct);
        while (await result.ReadAsync(Ct))
        {
            rows.Add(((string)result.GetValue(0)!, Convert.ToInt64(result.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)));
        }

        return rows;
    }
}

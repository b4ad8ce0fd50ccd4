using Millwright.Learning;
using Millwright.Orchestration.Definitions;

namespace Millwright.Pipelines;

/// <summary>
/// ML assets defined in C#, as pipeline.yml's <c>ml:</c> defines them: add the result to a definitions builder. The
/// spec carries the key, group and dependencies (the feature tables, and the model's train asset for a prediction);
/// <c>pool</c> names the builder's pool that serializes warehouse writers (one writer at a time on DuckDB), if any.
/// </summary>
public static class ModelAssets
{
    /// <summary>Trains <paramref name="model"/> into <paramref name="registry"/> when materialized.</summary>
    public static AssetsDefinition Train(AssetSpec spec, ModelDefinition model, ModelRegistry registry, string? pool = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(registry);
        model.Validate();
        return MlAssets.Build(Declared(spec, new MlDecl(model, null), pool), new MlDecl(model, null), registry, null);
    }

    /// <summary>
    /// Scores with the champion when materialized; with <paramref name="orders"/> and <paramref name="openStore"/>, risks
    /// at or above the threshold open (or propose) PREDICTIVE orders in the operational store.
    /// </summary>
    public static AssetsDefinition Predict(AssetSpec spec, PredictionDefinition prediction, ModelRegistry registry, PredictiveOrderPolicy? orders = null, Func<CancellationToken, Task<Operations.Data.OperationsStore>>? openStore = null, string? pool = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(registry);
        var ml = new MlDecl(null, prediction) { Orders = orders };
        return MlAssets.Build(Declared(spec, ml, pool), ml, registry, openStore is null ? null : new PredictiveOrderLoop(openStore, registry.Warehouse));
    }

    private static AssetDecl Declared(AssetSpec spec, MlDecl ml, string? pool) => new(spec.Key, spec with { Kinds = spec.Kinds.Count > 0 ? spec.Kinds : ["ml", ml.Train is not null ? "model" : "predictions"] })
    {
        Ml = ml,
        Pool = pool,
        Where = "C# definitions",
    };
}

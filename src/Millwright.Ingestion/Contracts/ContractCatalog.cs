namespace Millwright.Ingestion.Contracts;

/// <summary>The contracts of a workspace: every pipelines/*/contracts/*.yml, by source.</summary>
public sealed class ContractCatalog
{
    private readonly Dictionary<string, DataContract> _bySource;

    private ContractCatalog(Dictionary<string, DataContract> bySource) => _bySource = bySource;

    public IReadOnlyCollection<DataContract> Contracts => _bySource.Values;

    public static ContractCatalog Load(string pipelinesDirectory)
    {
        var bySource = new Dictionary<string, DataContract>(StringComparer.Ordinal);
        if (Directory.Exists(pipelinesDirectory))
        {
            foreach (var file in Directory.GetFiles(pipelinesDirectory, "*.yml", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "contracts")
                .Order(StringComparer.Ordinal))
            {
                var contract = DataContract.Load(file);
                if (bySource.TryGetValue(contract.Source, out var other))
                {
                    throw new IngestionException($"{file}: source {contract.Source} already has a contract in {other.Where}");
                }

                bySource[contract.Source] = contract;
            }
        }

        return new ContractCatalog(bySource);
    }

    public DataContract? Find(string source) => _bySource.GetValueOrDefault(source);
}

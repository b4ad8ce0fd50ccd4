namespace Millwright.Modeling.Artifacts;

/// <summary>What the docs site is built from that the web app shares: the lineage canvas script.</summary>
public static class DocsAssets
{
    /// <summary>The script that defines <c>window.MillwrightLineage</c> (layout and canvas painter of a lineage graph).</summary>
    public static Task<string> LineageScriptAsync(CancellationToken cancellationToken = default) => ArtifactWriter.LineageScriptAsync(cancellationToken);
}

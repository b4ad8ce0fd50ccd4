namespace Millwright.Web.Backups;

/// <summary><c>POST /api/admin/backup</c>: an ADMIN asks the running host for a backup now.</summary>
internal static class BackupApi
{
    public static IEndpointRouteBuilder MapBackupApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/admin/backup", async (HostBackups backups, CancellationToken cancellationToken) =>
        {
            var result = await backups.RunAsync(cancellationToken).ConfigureAwait(false);
            return Results.Ok(new BackupTaken(result.Folder, result.Manifest.CreatedAt, result.Manifest.Files.Count, result.Manifest.Bytes, Math.Round(result.Elapsed.TotalSeconds, 2)));
        })
        .RequireAuthorization(policy => policy.RequireRole("ADMIN"))
        .WithTags("Admin")
        .WithSummary("Back up the workspace now (operational store, orchestration store, warehouse) into backup.directory, with a manifest of checksums");
        return endpoints;
    }

    private sealed record BackupTaken(string Folder, DateTime CreatedAt, int Files, long Bytes, double Seconds);
}

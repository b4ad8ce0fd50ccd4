namespace Millwright.Cli.Tests.Commands;

/// <summary><c>millwright backup</c> and <c>restore</c> as an operator runs them.</summary>
public sealed class BackupCommandsTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly CliRunner _restored = new();

    public BackupCommandsTests()
    {
        File.WriteAllText(Path.Combine(_cli.Root, "millwright.yml"), "name: plant\n");
        File.WriteAllText(Path.Combine(_restored.Root, "millwright.yml"), "name: spare\n");
    }

    public void Dispose()
    {
        _cli.Dispose();
        _restored.Dispose();
    }

    [Fact]
    public async Task A_backup_taken_while_the_simulator_writes_restores_into_an_empty_workspace_that_reconciles_with_no_drift()
    {
        // Views that read views in a schema whose name sorts after theirs (as dbt's intermediate models read staging).
        Assert.Equal(0, (await _cli.RunAsync("sql", "create table keep_me as select 42 as answer")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("sql", "create schema staging; create view staging.answers as select answer from keep_me; create schema intermediate; create view intermediate.doubled as select answer * 2 as twice from staging.answers")).ExitCode);
        var writing = _cli.RunAsync("simulate", "--scale", "0.03", "--days", "40", "--start", "2026-02-02", "--only", "fleet");
        var backups = new List<CliOutcome>();
        while (!writing.IsCompleted || backups.Count == 0)
        {
            backups.Add(await _cli.RunAsync("backup", "--to", "backups"));
        }

        Assert.Equal(0, (await writing).ExitCode);
        Assert.All(backups, b => Assert.True(b.ExitCode == 0, b.Error));
        var folder = Directory.GetDirectories(Path.Combine(_cli.Root, "backups"), "millwright-*").Order(StringComparer.Ordinal).First();
        Assert.Contains($"Backed up to {folder}", string.Concat(backups.Select(b => b.Out)), StringComparison.Ordinal);

        var restore = await _restored.RunAsync("restore", folder);

        Assert.True(restore.ExitCode == 0, restore.Error);
        Assert.Contains("Restored the backup of plant taken ", restore.Out, StringComparison.Ordinal);
        var reconcile = await _restored.RunAsync("ops", "reconcile");
        Assert.True(reconcile.ExitCode == 0, reconcile.Out + reconcile.Error);
        Assert.Contains("No drift.", reconcile.Out, StringComparison.Ordinal);
        var answer = await _restored.RunAsync("sql", "select answer from keep_me", "--format", "csv");
        Assert.Equal("answer\n42", answer.Out.Trim().ReplaceLineEndings("\n"));
        var twice = await _restored.RunAsync("sql", "select twice from intermediate.doubled", "--format", "csv");
        Assert.Equal("twice\n84", twice.Out.Trim().ReplaceLineEndings("\n"));

        var nowhere = await _restored.RunAsync("restore", "no-such-backup");
        Assert.Equal(1, nowhere.ExitCode);
        Assert.Contains($"{Path.Combine(_restored.Root, "no-such-backup")} is not a Millwright backup: it has no manifest.json", nowhere.Error, StringComparison.Ordinal);

        var again = await _restored.RunAsync("restore", folder);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_backup_is_refused_naming_the_file_and_nothing_is_restored()
    {
        Assert.Equal(0, (await _cli.RunAsync("simulate", "--scale", "0.02", "--days", "5", "--start", "2026-02-02", "--only", "fleet")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("backup", "--to", "backups")).ExitCode);
        var folder = Directory.GetDirectories(Path.Combine(_cli.Root, "backups"), "millwright-*").Single();
        await using (var file = File.OpenWrite(Path.Combine(folder, "operations.db")))
        {
            file.Seek(5000, SeekOrigin.Begin);
            file.WriteByte(0x42);
        }

        var restore = await _restored.RunAsync("restore", folder);

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("operations.db does not match its checksum in the manifest", restore.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_restored.Root, ".millwright", "operations.db")));
    }
}

namespace Millwright.Domain;

/// <summary>Every table has a surrogate key.</summary>
public abstract class Entity
{
    public long Id { get; set; }
}

/// <summary>Written concurrently: each update bumps <see cref="Version"/>, and a write based on an older version is refused.</summary>
public interface IVersioned
{
    long Version { get; set; }
}

/// <summary>A ledger or history row: inserted once, never updated or deleted (corrections are new rows).</summary>
public interface IAppendOnly;

/// <summary>High-volume or bookkeeping rows that are not copied into the audit log.</summary>
public interface INotAudited;

/// <summary>Master data that the API may create and update as plain records.</summary>
public interface IMasterData : IVersioned
{
    /// <summary>Field-level checks before a write; empty when valid.</summary>
    IEnumerable<(string Field, string Message)> Validate();
}

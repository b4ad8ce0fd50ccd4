namespace Millwright.Pipelines.Tests;

/// <summary>A temporary workspace with a 'plant' pipeline: a landing-zone file sensor, a SQL load and a dbt project on top.</summary>
internal sealed class PlantWorkspace : IDisposable
{
    public PlantWorkspace()
    {
        Root = Directory.CreateTempSubdirectory("millwright-pipelines-").FullName;
        Pipelines = Path.Combine(Root, "pipelines");
        Plant = Path.Combine(Pipelines, "plant");
        Landing = Path.Combine(Plant, "landing");
        Directory.CreateDirectory(Landing);
        Directory.CreateDirectory(Path.Combine(Plant, "models", "staging"));
        Directory.CreateDirectory(Path.Combine(Plant, "models", "marts"));
        Write("pipeline.yml", """
            description: Torque readings from the landing zone to per-machine marts
            assets:
              - key: raw/readings
                description: Every landed CSV of torque readings
                owners: [team:reliability]
                sql: |
                  select * from read_csv({{ file or literal(pipeline_dir ~ "/landing/*.csv") }}, header = true)
                retry: {max: 2, delay: 10ms, backoff: exponential}
                checks:
                  - name: torque_present
                    sql: select * from raw.readings where torque is null
                    blocking: true
            sensors:
              - name: landing
                kind: file
                path: landing
                pattern: "*.csv"
                interval: 5s
                settle: 1s
                target: raw/readings+
            schedules:
              - name: nightly
                cron: "0 3 * * *"
                timezone: Europe/Paris
                target: "*"
                running: false
            """);
        Write("dbt_project.yml", """
            name: plant
            version: "1.0"
            profile: plant
            models:
              plant:
                marts:
                  +materialized: table
            """);
        Write("models/staging/stg_readings.sql", """
            select cast(machine_id as varchar) as machine_id, cast(torque as double) as torque
            from {{ source('raw', 'readings') }}
            """);
        Write("models/marts/machine_torque.sql", """
            select machine_id, avg(torque) as avg_torque, count(*) as readings
            from {{ ref('stg_readings') }}
            group by machine_id
            """);
        Write("models/schema.yml", """
            version: 2
            sources:
              - name: raw
                tables:
                  - name: readings
            models:
              - name: stg_readings
                description: One row per reading
                meta: {owner: team:analytics}
                columns:
                  - name: machine_id
                    tests: [not_null]
              - name: machine_torque
                columns:
                  - name: machine_id
                    tests: [unique]
            """);
    }

    public string Root { get; }

    public string Pipelines { get; }

    public string Plant { get; }

    public string Landing { get; }

    public string WarehousePath => Path.Combine(Root, ".millwright", "warehouse.duckdb");

    public string StatePath => Path.Combine(Root, ".millwright", "orchestration.db");

    public void Write(string relative, string text)
    {
        var path = Path.Combine(Plant, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
    }

    /// <summary>Drops a CSV into the landing zone, last written <paramref name="age"/> before <paramref name="now"/>.</summary>
    public string Drop(string name, string csv, DateTimeOffset now, TimeSpan age)
    {
        var path = Path.Combine(Landing, name);
        File.WriteAllText(path, csv);
        File.SetLastWriteTimeUtc(path, (now - age).UtcDateTime);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

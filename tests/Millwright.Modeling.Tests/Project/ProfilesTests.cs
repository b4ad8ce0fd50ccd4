using Millwright.Modeling.Project;

namespace Millwright.Modeling.Tests.Project;

/// <summary>How profiles.yml values are typed: plain YAML as YAML gave it, a template's output read as dbt reads it.</summary>
public sealed class ProfilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mw-profiles-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_quoted_password_of_digits_stays_text_and_a_templated_port_becomes_a_number()
    {
        var file = Path.Combine(_dir, "profiles.yml");
        File.WriteAllText(file, """
            shop:
              target: dev
              outputs:
                dev:
                  type: postgres
                  host: db.example
                  port: "{{ env_var('SHOP_PORT') }}"
                  user: '007'
                  password: '0123'
                  dbname: analytics
                  schema: "{{ env_var('SHOP_SCHEMA') }}"
                  threads: '3'
            """);

        // The renderer stands in for the template engine: what is under test is how its output is typed.
        var target = Profiles.Load(file, "shop", null, _dir, (text, _) => text
            .Replace("{{ env_var('SHOP_PORT') }}", "6543", StringComparison.Ordinal)
            .Replace("{{ env_var('SHOP_SCHEMA') }}", "0042", StringComparison.Ordinal));

        var connection = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = target.Warehouse.ConnectionString };
        Assert.Equal("0123", connection["Password"]);
        Assert.Equal("007", connection["Username"]);
        Assert.Equal("6543", connection["Port"]);
        Assert.Equal(6543L, target.Values["port"]);
        Assert.Equal("007", target.Values["user"]);
        Assert.Equal("0042", target.Schema);
        Assert.Equal(3, target.Threads);
        Assert.False(target.Values.ContainsKey("password"));
    }

    [Fact]
    public void Threads_that_are_not_a_number_name_the_file_and_target()
    {
        var file = Path.Combine(_dir, "profiles.yml");
        File.WriteAllText(file, "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n      threads: 'four'\n");

        var error = Assert.Throws<ModelingException>(() => Profiles.Load(file, "shop", null, _dir, (text, _) => text));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("target 'dev' threads must be a whole number, not 'four'", error.Message, StringComparison.Ordinal);
    }
}

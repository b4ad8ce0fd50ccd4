namespace Millwright.Modeling.Tests.Execution;

/// <summary>
/// dbt-labs/jaffle_shop, unchanged, built on each engine. The project is not in this repository: the test takes it
/// from MILLWRIGHT_JAFFLE_SHOP (a checkout) or from the local mirror of the public repository, and is skipped
/// with a reason when neither is on the machine.
/// </summary>
public abstract class JaffleShopTests(Engine engine)
{
    private static string Copy(string from)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mw-jaffle-" + Guid.NewGuid().ToString("N")[..10]);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/.git/", StringComparison.Ordinal)))
        {
            var target = Path.Combine(dir, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return dir;
    }

    [Fact]
    public async Task Builds_unchanged_with_28_passing_nodes_and_dbts_published_figures()
    {
        // A copy: the test writes profiles.yml and target/ into it.
        var found = PublicProjects.Find("MILLWRIGHT_JAFFLE_SHOP", "/work/.mirror/dbt-labs+jaffle_shop/repo");
        var dir = found is null ? null : Copy(found);
        if (dir is null)
        {
            Assert.Skip("jaffle_shop is not on this machine: set MILLWRIGHT_JAFFLE_SHOP to a checkout of dbt-labs/jaffle_shop");
        }

        await using var project = TestProject.FromDirectory(dir, engine, "jaffle_shop");
        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.Equal((28, 0, 0, 0), (summary.Passed, summary.Warned, summary.Errored, summary.Skipped));
        Task<decimal> Number(string sql) => project.NumberAsync(sql);
        Assert.Equal(100m, await Number("select count(*) from {schema}.customers"));
        Assert.Equal(62m, await Number("select count(first_order) from {schema}.customers"));
        Assert.Equal(99m, await Number("select sum(number_of_orders) from {schema}.customers"));
        Assert.Equal(1672m, await Number("select sum(customer_lifetime_value) from {schema}.customers"));
        Assert.Equal("Diana S. 2 27", await project.ScalarAsync("select first_name || ' ' || last_name || ' ' || number_of_orders || ' ' || cast(customer_lifetime_value as integer) from {schema}.customers where customer_id = 42"));
        Assert.Equal(99m, await Number("select count(*) from {schema}.orders"));
        Assert.Equal(1672m, await Number("select sum(amount) from {schema}.orders"));
        Assert.Equal(871m, await Number("select sum(credit_card_amount) from {schema}.orders"));
        Assert.Equal(185m, await Number("select sum(coupon_amount) from {schema}.orders"));
        Assert.Equal(411m, await Number("select sum(bank_transfer_amount) from {schema}.orders"));
        Assert.Equal(205m, await Number("select sum(gift_card_amount) from {schema}.orders"));
        Assert.Equal(67m, await Number("select count(*) from {schema}.orders where status = 'completed'"));
    }
}

public sealed class DuckDbJaffleShopTests() : JaffleShopTests(Engine.DuckDb);

public sealed class PostgresJaffleShopTests() : JaffleShopTests(Engine.Postgres);

namespace Millwright.Modeling.Tests.Graph;

/// <summary>dbt's selection syntax over the workshop fixture (listing only: no warehouse needed).</summary>
public sealed class SelectorTests : IAsyncLifetime
{
    private TestProject _project = null!;

    public ValueTask InitializeAsync()
    {
        _project = TestProject.Copy("workshop", Engine.DuckDb);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _project.DisposeAsync();

    private async Task<string[]> Names(string[] select, string[]? exclude = null, string[]? types = null, IndirectSelection indirect = IndirectSelection.Eager)
    {
        var summary = await _project.RunAsync(DbtCommand.List, _project.Options(select) with { Exclude = exclude ?? [], ResourceTypes = types ?? ["model", "seed"], IndirectSelection = indirect });
        return summary.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public async Task Indirect_selection_takes_a_test_of_two_models_along_as_dbt_says()
    {
        // A singular test of stg_vehicles and dim_vehicles, which is built from it.
        File.WriteAllText(Path.Combine(_project.Dir, "tests", "assert_every_vehicle_is_dimensioned.sql"),
            "select s.vehicle_id from {{ ref('stg_vehicles') }} as s left join {{ ref('dim_vehicles') }} as d on d.vehicle_id = s.vehicle_id where d.vehicle_id is null");
        async Task<bool> Runs(string[] select, IndirectSelection indirect) =>
            (await Names(select, types: ["test"], indirect: indirect)).Contains("assert_every_vehicle_is_dimensioned");

        Assert.True(await Runs(["stg_vehicles"], IndirectSelection.Eager));
        Assert.False(await Runs(["stg_vehicles"], IndirectSelection.Cautious));
        Assert.False(await Runs(["stg_vehicles"], IndirectSelection.Buildable));
        Assert.False(await Runs(["dim_vehicles"], IndirectSelection.Cautious));
        Assert.True(await Runs(["dim_vehicles"], IndirectSelection.Buildable));
        Assert.True(await Runs(["stg_vehicles", "dim_vehicles"], IndirectSelection.Cautious));
        Assert.False(await Runs(["stg_vehicles", "dim_vehicles"], IndirectSelection.Empty));
        Assert.True(await Runs(["assert_every_vehicle_is_dimensioned"], IndirectSelection.Empty));
    }

    [Fact]
    public async Task A_name_selects_one_node()
    {
        Assert.Equal(["dim_vehicles"], await Names(["dim_vehicles"]));
    }

    [Fact]
    public async Task Plus_before_selects_all_ancestors_and_a_number_limits_the_depth()
    {
        Assert.Equal(["dim_vehicles", "fct_work_orders", "order_costs", "parts_used", "stg_parts_used", "stg_vehicles", "stg_work_orders", "vehicles", "work_orders"], await Names(["+dim_vehicles"]));
        Assert.Equal(["dim_vehicles", "fct_work_orders", "stg_vehicles"], await Names(["1+dim_vehicles"]));
    }

    [Fact]
    public async Task Plus_after_selects_descendants()
    {
        Assert.Equal(["dim_vehicles", "fct_work_orders", "stg_work_orders", "work_orders"], await Names(["work_orders+"]));
        Assert.Equal(["stg_work_orders", "work_orders"], await Names(["work_orders+1"]));
    }

    [Fact]
    public async Task At_selects_descendants_and_their_ancestors()
    {
        Assert.Equal(["dim_vehicles", "fct_work_orders", "order_costs", "parts_used", "stg_parts_used", "stg_vehicles", "stg_work_orders", "vehicles", "work_orders"], await Names(["@stg_parts_used"]));
    }

    [Fact]
    public async Task Tag_path_folder_and_config_methods()
    {
        Assert.Equal(["stg_parts_used", "stg_vehicles", "stg_work_orders"], await Names(["tag:staging"]));
        Assert.Equal(["dim_vehicles"], await Names(["tag:fleet"]));
        Assert.Equal(["dim_vehicles", "fct_work_orders", "fleet_summary", "order_costs"], await Names(["path:models/marts"]));
        Assert.Equal(["dim_vehicles", "fct_work_orders", "fleet_summary", "order_costs"], await Names(["marts"]));
        Assert.Equal(["fleet_summary"], await Names(["source:garage+"]));
        Assert.Equal(["fleet_summary"], await Names(["source:garage.fleet+"]));
        Assert.Equal(["order_costs"], await Names(["config.materialized:ephemeral"]));
        Assert.Equal(["parts_used", "vehicles", "work_orders"], await Names(["resource_type:seed"]));
    }

    [Fact]
    public async Task Space_is_a_union_comma_an_intersection_and_exclude_removes()
    {
        Assert.Equal(["dim_vehicles", "stg_vehicles"], await Names(["stg_vehicles dim_vehicles"]));
        Assert.Equal(["stg_work_orders"], await Names(["tag:staging,+fct_work_orders"], exclude: ["stg_parts_used"]));
        Assert.Equal(["stg_parts_used", "stg_work_orders"], await Names(["tag:staging"], exclude: ["stg_vehicles"]));
    }

    [Fact]
    public async Task Tests_follow_the_nodes_they_test()
    {
        var tests = await Names(["stg_vehicles"], types: ["test"]);
        // dbt shortens names of 64 characters or more to 30 characters and an md5 of the full name.
        Assert.Equal(["not_null_stg_vehicles_vehicle_id", "relationships_stg_work_orders_" + Md5("relationships_stg_work_orders_vehicle_id__vehicle_id__ref_stg_vehicles_"), "unique_stg_vehicles_vehicle_id", "unique_stg_vehicles_vin"], tests);
        Assert.Equal(["assert_labor_cost_matches_rate"], await Names(["test_type:singular"], types: ["test"]));
        Assert.Equal(["not_null_fct_work_orders_order_id", "not_null_stg_vehicles_vehicle_id", "not_null_stg_work_orders_order_id"], await Names(["test_name:not_null"], types: ["test"]));
        Assert.Equal(["non_negative_fct_work_orders_parts_cost", "non_negative_stg_parts_used_line_cost"], await Names(["test_name:non_negative"], types: ["test"]));
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "dbt's test naming")]
    private static string Md5(string text) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task An_unknown_method_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<ModelingException>(() => Names(["colour:red"]));
        Assert.Contains("unknown selector method 'colour'", error.Message, StringComparison.Ordinal);
    }
}

namespace PageExt.Tests.Design;

/// <summary>
/// No namespace of a shipped assembly may depend, directly or through others, on a namespace that
/// depends on it: a cycle means two folders are one concept, or one of them holds a piece of the
/// other. The detector is proved on deliberate cycles among the test samples in Samples/.
/// </summary>
public sealed class NamespaceCycleTests
{
    private const string Samples = "PageExt.Tests.Design.Samples";

    [Theory]
    [InlineData("PageExt")]
    [InlineData("PageExt.Analysis")]
    [InlineData("PageExt.Fleet")]
    [InlineData("PageExt.Cli")]
    [InlineData("PageExt.AspNetCore")]
    public void Assembly_has_no_namespace_cycles(string assembly)
    {
        string path = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        var cycles = NamespaceGraph.Read(path, assembly).DescribeCycles();
        Assert.True(cycles.Count == 0, $"{assembly} has {cycles.Count} namespace cycle(s):{Environment.NewLine}{string.Join(Environment.NewLine, cycles)}");
    }

    [Fact]
    public void A_use_only_inside_a_method_body_closes_a_cycle()
    {
        var cycles = SampleCycles(Samples + ".BodyCall");

        string cycle = Assert.Single(cycles);
        Assert.StartsWith($"{Samples}.BodyCall.Callee -> {Samples}.BodyCall.Caller -> {Samples}.BodyCall.Callee", cycle);
        Assert.Contains($"{Samples}.BodyCall.Caller.Caller uses {Samples}.BodyCall.Callee.Target", cycle);
    }

    [Fact]
    public void A_three_namespace_ring_through_a_generic_argument_an_array_property_and_a_typeof_is_reported_as_its_path()
    {
        var cycles = SampleCycles(Samples + ".Ring");

        string cycle = Assert.Single(cycles);
        Assert.StartsWith($"{Samples}.Ring.A -> {Samples}.Ring.B -> {Samples}.Ring.C -> {Samples}.Ring.A", cycle);
    }

    [Fact]
    public void A_one_way_use_is_an_edge_but_not_a_cycle()
    {
        var graph = NamespaceGraph.Read(typeof(NamespaceCycleTests).Assembly.Location, Samples + ".OneWay");

        Assert.Equal([($"{Samples}.OneWay.Upper", $"{Samples}.OneWay.Lower")], graph.Edges);
        Assert.Empty(graph.DescribeCycles());
    }

    private static IReadOnlyList<string> SampleCycles(string prefix) =>
        NamespaceGraph.Read(typeof(NamespaceCycleTests).Assembly.Location, prefix).DescribeCycles();
}

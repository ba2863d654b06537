namespace PageExt.Tests;

/// <summary>
/// Tests that measure the whole process (its resident memory, its process-wide counters) run
/// alone, after the parallel ones: a machine another test boots or uses meanwhile would count
/// against them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide measurements";
}

namespace PageExt.Analysis.Sort;

/// <summary>
/// k-way merge of sorted runs through a binary heap keyed by each run's current group. The order
/// must be total (no two groups compare equal), which makes the merged sequence independent of
/// which run a group came from.
/// </summary>
internal static class RunMerger
{
    private const int BufferBytesPerRun = 1 << 16;

    public static IEnumerable<SortedGroup> Merge(IReadOnlyList<GroupRun> runs, Comparison<SortedGroup> order)
    {
        var heap = new PriorityQueue<GroupRun.Reader, SortedGroup>(runs.Count, Comparer<SortedGroup>.Create(order));
        foreach (var run in runs)
        {
            var reader = run.OpenReader(BufferBytesPerRun);
            if (reader.Next() is { } first)
            {
                heap.Enqueue(reader, first);
            }
        }

        while (heap.TryPeek(out var reader, out var group))
        {
            yield return group;
            if (reader.Next() is { } next)
            {
                heap.DequeueEnqueue(reader, next);
            }
            else
            {
                heap.Dequeue();
            }
        }
    }
}

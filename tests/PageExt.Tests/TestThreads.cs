using System.Collections.Concurrent;

namespace PageExt.Tests;

/// <summary>
/// Raw threads for tests that need real parallelism. A thread never asserts: an exception on a
/// thread the test runner does not own kills the test host instead of failing the test. Each body
/// runs to completion or to its first exception, which is collected for the test thread to assert on.
/// </summary>
internal static class TestThreads
{
    /// <summary>Run <paramref name="body"/>(index) on <paramref name="count"/> threads at once; returns what they threw.</summary>
    public static IReadOnlyList<Exception> Run(int count, Action<int> body)
    {
        var thrown = new ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, count).Select(index => new Thread(() =>
        {
            try
            {
                body(index);
            }
            catch (Exception e)
            {
                thrown.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return [.. thrown];
    }

    /// <summary>As <see cref="Run"/>, then fail the test (on the test thread) with everything the threads threw.</summary>
    public static void RunAndAssert(int count, Action<int> body)
    {
        var thrown = Run(count, body);
        Assert.True(thrown.Count == 0, $"{thrown.Count} thread(s) threw:\n" + string.Join("\n", thrown.Select(e => e.ToString())));
    }
}

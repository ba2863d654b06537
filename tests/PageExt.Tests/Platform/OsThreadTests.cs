using PageExt.Platform;

namespace PageExt.Tests.Platform;

public sealed unsafe class OsThreadTests
{
    [Fact]
    public void CurrentId_is_the_kernel_s_id_of_the_calling_thread()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Equal(0, OsThread.CurrentId());
            return;
        }

        // /proc/thread-self links to /proc/<tgid>/task/<tid> of whoever reads it.
        string target = new DirectoryInfo("/proc/thread-self").LinkTarget!;
        int tid = int.Parse(Path.GetFileName(target), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(tid, OsThread.CurrentId());
    }

    [Fact]
    public void The_stack_bounds_hold_a_local_of_the_calling_thread_and_differ_between_threads()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(OsThread.TryGetStackBounds(out _, out _));
            return;
        }

        int local = 0;
        Assert.True(OsThread.TryGetStackBounds(out nint low, out nint high));
        Assert.InRange((nint)(&local), low, high - 1);

        nint otherLow = 0;
        var thread = new Thread(() => OsThread.TryGetStackBounds(out otherLow, out _));
        thread.Start();
        thread.Join();
        Assert.NotEqual(0, otherLow);
        Assert.NotEqual(low, otherLow);
    }
}

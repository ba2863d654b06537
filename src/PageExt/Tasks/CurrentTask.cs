using System.Diagnostics;
using System.Runtime.CompilerServices;
using PageExt.Platform;

namespace PageExt.Tasks;

/// <summary>
/// The calling thread as the kernel sees a task: pid (the OS thread id), tgid (the process id) and
/// comm (the thread's name, else the process name, at most 15 characters as TASK_COMM_LEN allows).
/// Each thread resolves its ids once and caches them, so recording an owner costs two loads.
/// </summary>
public static class CurrentTask
{
    /// <summary>TASK_COMM_LEN - 1.</summary>
    public const int CommLength = CommBytes.Length - 1;

    [ThreadStatic]
    private static int t_pid;

    [ThreadStatic]
    private static string? t_comm;

    [ThreadStatic]
    private static CommBytes t_commBytes;

    private static readonly string s_processComm = Truncate(ProcessName());

    /// <summary>current->tgid.</summary>
    public static int Tgid { get; } = Environment.ProcessId;

    /// <summary>current->pid: the OS thread id where the OS has one, else the managed thread id.</summary>
    public static int Pid
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int pid = t_pid;
            return pid != 0 ? pid : InitPid();
        }
    }

    /// <summary>current->comm. A thread renamed after its first allocation keeps the first name, as a kernel task's comm is set at exec.</summary>
    public static string Comm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_comm ?? InitComm();
    }

    /// <summary>current->comm as the 16 NUL-padded bytes struct page_owner stores (ASCII; other characters as '?').</summary>
    public static CommBytes CommAsBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var bytes = t_commBytes;
            return bytes.IsEmpty ? InitCommBytes() : bytes;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CommBytes InitCommBytes()
    {
        var bytes = CommBytes.From(Comm);
        t_commBytes = bytes;
        return bytes;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int InitPid()
    {
        int pid = OsThread.CurrentId();
        if (pid <= 0)
        {
            pid = Environment.CurrentManagedThreadId;
        }

        t_pid = pid;
        return pid;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string InitComm()
    {
        string? name = Thread.CurrentThread.Name;
        string comm = string.IsNullOrEmpty(name) ? s_processComm : Truncate(name);
        t_comm = comm;
        return comm;
    }

    private static string ProcessName()
    {
        try
        {
            using var process = Process.GetCurrentProcess();
            return process.ProcessName;
        }
        catch (InvalidOperationException)
        {
            return "dotnet";
        }
    }

    private static string Truncate(string name) => name.Length <= CommLength ? name : name[..CommLength];
}

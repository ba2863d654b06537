namespace PageExt.Analysis.Reports;

/// <summary>How `diff` decides that a process of the old dump is a process of the new one.</summary>
internal enum ProcessMatch
{
    /// <summary>By name (the leader's comm): pids differ between boots, names do not. The default.</summary>
    Name,

    /// <summary>By tgid (pid in dumps without one): for two dumps of one boot.</summary>
    Pid,
}

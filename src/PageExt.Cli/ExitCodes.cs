namespace PageExt.Cli;

/// <summary>
/// The exit codes of every command, the table the README documents. Small numbers as grep and
/// page_owner_sort use them, plus sysexits.h's EX_SOFTWARE for a bug, so a script can tell "you
/// asked for something impossible" from "PageExt broke".
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command line cannot be carried out: a usage error, boot parameters refused, or a file it names cannot be read or written (page_owner_sort exits 1 for all of these).</summary>
    public const int Usage = 1;

    /// <summary>An input was read but not understood: not a page_owner dump, a workload with no usable operation.</summary>
    public const int BadInput = 2;

    /// <summary>An unexpected exception: a bug in PageExt (sysexits.h EX_SOFTWARE).</summary>
    public const int InternalError = 70;
}

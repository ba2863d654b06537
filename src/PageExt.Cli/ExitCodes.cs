using System.CommandLine;
using System.Runtime.CompilerServices;

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

    /// <summary>diff(1)'s convention, which `pageext diff` follows: 1 when the inputs differ...</summary>
    public const int DiffChanges = 1;

    /// <summary>...and 2 for any trouble, a usage error included.</summary>
    public const int DiffTrouble = 2;

    private static readonly ConditionalWeakTable<Command, object> s_trouble = [];

    /// <summary>Every failure of this command exits with <paramref name="code"/> (diff's "trouble"), whatever its kind.</summary>
    public static T WithTroubleExitCode<T>(this T command, int code)
        where T : Command
    {
        s_trouble.AddOrUpdate(command, code);
        return command;
    }

    /// <summary>The exit code of a failure of <paramref name="command"/>: its trouble code if it has one.</summary>
    public static int ForFailure(Command? command, int code) =>
        command is not null && s_trouble.TryGetValue(command, out var trouble) ? (int)trouble : code;
}

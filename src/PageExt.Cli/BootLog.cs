namespace PageExt.Cli;

/// <summary>The kernel log lines of a boot that a user should see, picked out of <see cref="Machine.Log"/>.</summary>
internal static class BootLog
{
    private const string UnknownParameters = "Unknown kernel command line parameters ";

    /// <summary>
    /// What the kernel prints for a misspelled parameter ("Unknown kernel command line parameters
    /// "page_ownr=on", will be passed to user space."), on stderr, for every command that boots:
    /// a typo must not silently leave a feature off.
    /// </summary>
    public static void WarnUnknownParameters(Machine machine, CliContext context)
    {
        foreach (var line in machine.Log.Lines)
        {
            if (line.StartsWith(UnknownParameters, StringComparison.Ordinal))
            {
                context.Stderr.WriteLine(line);
            }
        }
    }

    /// <summary>The lines dmesg shows that matter for page_ext and page_owner: the command line, page_ext's size, page_owner's early pages.</summary>
    public static IEnumerable<string> LinesThatMatter(Machine machine) =>
        machine.Log.Lines.Where(l => l.StartsWith("Kernel command line:", StringComparison.Ordinal)
            || l.StartsWith(UnknownParameters, StringComparison.Ordinal)
            || l.Contains(" bytes of page_ext", StringComparison.Ordinal)
            || l.Contains("page owner found early allocated", StringComparison.Ordinal));
}

using System.Globalization;
using PageExt.PageOwner;

namespace PageExt.Cli;

/// <summary>The output and workload options of `pageext run`.</summary>
internal sealed class RunOptions
{
    public string? Workload { get; private set; }

    public string? Record { get; private set; }

    public string? PageOwner { get; private set; }

    public DumpFormat DumpFormat { get; private set; } = DumpFormat.Modern;

    public string? PageOwnerStacks { get; private set; }

    public long StacksThreshold { get; private set; }

    public string? PageTypeInfo { get; private set; }

    public string? BuddyInfo { get; private set; }

    public string? Log { get; private set; }

    /// <summary>The HTML report of the machine after the workload: its page_owner records, every pageblock and buddyinfo.</summary>
    public string? Report { get; private set; }

    public static bool TryParse(IReadOnlyList<string> args, CliContext context, out RunOptions options)
    {
        options = new RunOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            string name = eq > 0 ? arg[..eq] : arg;
            string? value = eq > 0 ? arg[(eq + 1)..] : i + 1 < args.Count ? args[++i] : null;
            if (value is null)
            {
                context.Stderr.WriteLine($"pageext run: {name} needs a value");
                return false;
            }

            switch (name)
            {
                case "--workload": options.Workload = value; break;
                case "--record": options.Record = value; break;
                case "--page-owner": options.PageOwner = value; break;
                case "--page-owner-stacks": options.PageOwnerStacks = value; break;
                case "--pagetypeinfo": options.PageTypeInfo = value; break;
                case "--buddyinfo": options.BuddyInfo = value; break;
                case "--log": options.Log = value; break;
                case "--report": options.Report = value; break;
                case "--page-owner-format":
                    if (value is not ("modern" or "2014"))
                    {
                        context.Stderr.WriteLine($"pageext run: --page-owner-format is modern or 2014, not '{value}'");
                        return false;
                    }

                    options.DumpFormat = value == "2014" ? DumpFormat.Seed2014 : DumpFormat.Modern;
                    break;
                case "--stacks-threshold":
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long threshold))
                    {
                        context.Stderr.WriteLine($"pageext run: --stacks-threshold takes a whole number, not '{value}'");
                        return false;
                    }

                    options.StacksThreshold = threshold;
                    break;
                default:
                    context.Stderr.WriteLine($"pageext run: unknown option '{arg}'");
                    return false;
            }
        }

        return true;
    }
}

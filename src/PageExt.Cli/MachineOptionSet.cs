using System.CommandLine;

namespace PageExt.Cli;

/// <summary>
/// The System.CommandLine options of every command that boots a machine. Their values are checked
/// and interpreted in one place, <see cref="MachineOptions.TryParse"/>, which this feeds.
/// </summary>
internal sealed class MachineOptionSet
{
    private readonly Option<string> _memory = new("--memory") { HelpName = "SIZE", Description = "Memory of the machine: a number with K, M, G or T (powers of 1024) [default: 1G]" };
    private readonly Option<string> _nodes = new("--nodes") { HelpName = "N", Description = "NUMA nodes [default: 1]" };
    private readonly Option<string> _cmdline = new("--cmdline") { HelpName = "\"...\"", Description = "Kernel command line, e.g. \"page_owner=on debug_pagealloc=on\" [default: $PAGEEXT_CMDLINE]" };
    private readonly Option<string> _seed = new("--seed") { HelpName = "N", Description = "Seed of the built-in workload" };
    private readonly Option<string> _steps = new("--steps") { HelpName = "N", Description = "Operations of the built-in workload" };

    public void AddTo(Command command)
    {
        command.Options.Add(_memory);
        command.Options.Add(_nodes);
        command.Options.Add(_cmdline);
        command.Options.Add(_seed);
        command.Options.Add(_steps);
    }

    /// <exception cref="CliException">A value <see cref="MachineOptions.TryParse"/> refuses (it printed why).</exception>
    public MachineOptions Read(ParseResult parsed, CliContext context)
    {
        var args = new List<string>();
        foreach (var option in new[] { _memory, _nodes, _cmdline, _seed, _steps })
        {
            if (parsed.GetResult(option) is { Implicit: false } && parsed.GetValue(option) is { } value)
            {
                args.Add($"{option.Name}={value}");
            }
        }

        var stderr = new StringWriter();
        if (!MachineOptions.TryParse(args, new CliContext(context.Stdout, stderr, context.OpenStdin), out var options, out _))
        {
            throw new CliException(stderr.ToString().Trim());
        }

        return options;
    }
}

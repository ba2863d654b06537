using System.CommandLine;
using System.Reflection;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace PageExt.Cli.Commands;

/// <summary>
/// Every subcommand, in the order `pageext --help` lists them, and the one entry point that parses
/// a command line and runs it under the top-level <see cref="ErrorHandler"/>.
/// </summary>
internal static class CommandTable
{
    public static IReadOnlyList<ICliCommand> All { get; } =
    [
        new DemoCommand(),
        new RunCommand(),
        new SortCommand(),
        new TopCommand(),
        new DiffCommand(),
        new TraceCommand(),
        new ReportCommand(),
        new ReportCommand(svgOnly: true),
        new DmesgCommand(),
        new ExportCommand(),
        new QueryCommand(),
        new ParamsCommand(),
        new DebugPageAllocFaultCommand(),
    ];

    /// <summary>`--verbose` anywhere: the trace after the one-line error (as PAGEEXT_DEBUG=1).</summary>
    public static Option<bool> Verbose { get; } = new(ErrorHandler.VerboseOption)
    {
        Description = $"On failure, print the .NET trace after the one-line message (also {ErrorHandler.DebugVariable}=1), for bug reports",
        Recursive = true,
    };

    public static RootCommand CreateRoot(CliContext context)
    {
        var root = new RootCommand("PageExt: the Linux kernel's page allocator, page_ext and page_owner in .NET, and the tools that read their dumps.")
        {
            Verbose,
        };
        foreach (var command in All)
        {
            var created = command.Create(context);
            created.Options.Add(new VersionOption { Action = new PrintVersion() });
            root.Subcommands.Add(created);
        }

        root.WithExamples(
            ("pageext demo --memory 512M --cmdline \"page_owner=on\"", "boot a 512 MiB machine, run the built-in workload, print buddyinfo and pagetypeinfo"),
            ("pageext run --cmdline \"page_owner=on\" --page-owner dump.txt", "write a page_owner dump"),
            ("pageext sort --cull=stacktrace dump.txt sorted.txt", "page_owner_sort's report of it"),
            ("pageext @args.rsp", "read arguments from a response file, one or more a line"));
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            CommandHelp.AddExamplesSection(help);
        }

        foreach (var version in root.Options.OfType<VersionOption>())
        {
            version.Action = new PrintVersion();
        }

        return root;
    }

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var root = CreateRoot(context);
        bool verbose = ErrorHandler.DebugFromEnvironment || args.Contains(ErrorHandler.VerboseOption);
        Command? target = null;
        string name = args.FirstOrDefault(a => root.Subcommands.Any(c => c.Name == a)) ?? "";
        int exit = ErrorHandler.Run(name, () =>
        {
            var parsed = root.Parse(args);
            target = parsed.CommandResult.Command;
            string command = target == root ? "" : target.Name;
            if (parsed.Action is ParseErrorAction)
            {
                return ExitCodes.ForFailure(target, ErrorHandler.UsageError(parsed, command, context));
            }

            return parsed.Invoke(new InvocationConfiguration
            {
                Output = context.Stdout,
                Error = context.Stderr,
                EnableDefaultExceptionHandler = false,

                // Program.cs deletes abandoned temporary files on signals; the default action then ends the process.
                ProcessTerminationTimeout = null,
            });
        }, context, verbose, out bool failed);
        return failed ? ExitCodes.ForFailure(target, exit) : exit;
    }

    /// <summary>The tool's version, from this assembly rather than the entry assembly (a test host in tests).</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public static string Version { get; } = typeof(CommandTable).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return ExitCodes.Success;
        }
    }
}

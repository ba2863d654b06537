using PageExt.Cli.Commands;

namespace PageExt.Cli;

/// <summary>Every subcommand, in the order `pageext --help` lists them.</summary>
internal static class CommandTable
{
    public static IReadOnlyList<ICliCommand> All { get; } =
    [
        new DemoCommand(),
        new RunCommand(),
        new SortCommand(),
        new TopCommand(),
        new DiffCommand(),
        new ExportCommand(),
        new QueryCommand(),
        new ParamsCommand(),
        new DebugPageAllocFaultCommand(),
    ];

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintUsage(context.Stdout);
            return args.Count == 0 ? 1 : 0;
        }

        foreach (var command in All)
        {
            if (command.Name == args[0])
            {
                return command.Run(args.Skip(1).ToArray(), context);
            }
        }

        context.Stderr.WriteLine($"pageext: unknown command '{args[0]}'. Run 'pageext --help' for the list.");
        return 2;
    }

    private static void PrintUsage(TextWriter output)
    {
        output.WriteLine("Usage: pageext <command> [options]");
        output.WriteLine();
        output.WriteLine("Commands:");
        foreach (var command in All)
        {
            output.WriteLine($"  {command.Name,-10} {command.Summary}");
        }
    }
}

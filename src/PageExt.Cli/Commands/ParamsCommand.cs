using System.CommandLine;
using PageExt.Boot;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext params`: parse a command line (from --cmdline or PAGEEXT_CMDLINE) and print the
/// effective settings, one name=value per line, with every warning and error; or, with
/// --markdown, the table of every parameter (the README's).
/// </summary>
internal sealed class ParamsCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var cmdline = new Option<string>("--cmdline") { HelpName = "\"...\"", Description = "The kernel command line to check [default: $PAGEEXT_CMDLINE]" };
        var markdown = new Option<bool>("--markdown") { Description = "Print the table of every parameter (the README's) instead" };
        var command = new Command("params", "Print the effective boot parameters of a command line, with every warning and error, or --markdown the table of all of them")
        {
            cmdline,
            markdown,
        };
        command.SetAction(parsed => Run(
            parsed.GetValue(markdown) ? ["--markdown"] : parsed.GetResult(cmdline) is { Implicit: false } ? ["--cmdline", parsed.GetValue(cmdline) ?? ""] : [],
            context));
        return command.WithExamples(
            ("pageext params --cmdline \"page_owner=on debug_pagealloc=on\"", "the settings that command line gives, one name=value a line"),
            ("pageext params --markdown", "every parameter, its values and default, as a Markdown table"));
    }

    private static int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 1 && args[0] == "--markdown")
        {
            context.Stdout.Write(BootParameterTable.RenderMarkdownTable());
            return 0;
        }

        string commandLine = BootCommandLine.ReadEnvironment();
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--cmdline" && i + 1 < args.Count)
            {
                commandLine = args[++i];
            }
            else if (args[i].StartsWith("--cmdline=", StringComparison.Ordinal))
            {
                commandLine = args[i]["--cmdline=".Length..];
            }
            else
            {
                context.Stderr.WriteLine($"pageext params: unexpected argument '{args[i]}'. Usage: pageext params [--cmdline \"...\"] | --markdown");
                return 2;
            }
        }

        var result = BootCommandLine.Parse(commandLine);
        foreach (var line in result.Log)
        {
            context.Stderr.WriteLine(line);
        }

        foreach (var error in result.Errors)
        {
            context.Stderr.WriteLine("error: " + error.Message);
        }

        bool refused = result.HasErrors;
        if (!refused)
        {
            // Boot's own checks, so that what params accepts boots: sizes such as cma= must fit the memory.
            try
            {
                Machine.Validate(new MachineDescription { CommandLine = commandLine });
            }
            catch (MachineDescriptionException ex)
            {
                context.Stderr.WriteLine($"error: {ex.Message} (checked against the default machine, {Formatting.ByteSize.Format(MachineDescription.Default.MemoryBytes)})");
                refused = true;
            }
        }

        foreach (var setting in result.Parameters.EffectiveSettings())
        {
            context.Stdout.WriteLine(setting);
        }

        return refused ? 1 : 0;
    }
}

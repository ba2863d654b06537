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
        command.SetAction(parsed => parsed.GetValue(markdown)
            ? Markdown(context)
            : Run(parsed.GetValue(cmdline) ?? BootCommandLine.ReadEnvironment(), context));
        return command.WithExamples(
            ("pageext params --cmdline \"page_owner=on debug_pagealloc=on\"", "the settings that command line gives, one name=value a line"),
            ("pageext params --markdown", "every parameter, its values and default, as a Markdown table"));
    }

    private static int Markdown(CliContext context)
    {
        context.Stdout.Write(BootParameterTable.RenderMarkdownTable());
        return ExitCodes.Success;
    }

    /// <summary>
    /// Parses as boot parses, then runs boot's own checks on the default machine, so that what
    /// params accepts boots. The settings are printed only for a command line that would boot.
    /// </summary>
    private static int Run(string commandLine, CliContext context)
    {
        var result = BootCommandLine.Parse(commandLine);
        foreach (var line in result.Log)
        {
            context.Stderr.WriteLine(line);
        }

        foreach (var error in result.Errors)
        {
            context.Stderr.WriteLine("pageext params: " + error.Message);
        }

        if (result.HasErrors)
        {
            return ExitCodes.Usage;
        }

        try
        {
            Machine.Validate(new MachineDescription { CommandLine = commandLine });
        }
        catch (MachineDescriptionException ex)
        {
            context.Stderr.WriteLine($"pageext params: {ex.Message} (checked against the default machine, {Formatting.ByteSize.Format(MachineDescription.Default.MemoryBytes)})");
            return ExitCodes.Usage;
        }

        foreach (var setting in result.Parameters.EffectiveSettings())
        {
            context.Stdout.WriteLine(setting);
        }

        return ExitCodes.Success;
    }
}

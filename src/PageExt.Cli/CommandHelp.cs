using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace PageExt.Cli;

/// <summary>
/// Examples for `--help`: System.CommandLine's help has no examples section, so each command
/// attaches its examples here and the help layout appends them after the options.
/// </summary>
internal static class CommandHelp
{
    private static readonly ConditionalWeakTable<Command, (string CommandLine, string What)[]> s_examples = [];
    private static readonly ConditionalWeakTable<Command, string> s_details = [];

    /// <summary>Attaches examples: a command line and what it does.</summary>
    public static T WithExamples<T>(this T command, params (string CommandLine, string What)[] examples)
        where T : Command
    {
        s_examples.AddOrUpdate(command, examples);
        return command;
    }

    /// <summary>Attaches text written after the options (sort's getopt options, which the parser does not see).</summary>
    public static T WithDetails<T>(this T command, string details)
        where T : Command
    {
        s_details.AddOrUpdate(command, details);
        return command;
    }

    /// <summary>Makes every `--help` end with the command's details and examples.</summary>
    public static void AddExamplesSection(HelpOption help)
    {
        help.Action = new WithExamplesAction((HelpAction)help.Action!);
    }

    private static void WriteDetails(Command command, TextWriter output)
    {
        if (s_details.TryGetValue(command, out var details))
        {
            output.Write(details.TrimEnd('\n') + "\n\n");
        }
    }

    private static void WriteExamples(Command command, TextWriter output)
    {
        if (!s_examples.TryGetValue(command, out var examples) || examples.Length == 0)
        {
            return;
        }

        output.WriteLine("Examples:");
        foreach (var (commandLine, what) in examples)
        {
            output.WriteLine($"  {commandLine}");
            output.WriteLine($"      {what}");
        }

        output.WriteLine();
    }

    private sealed class WithExamplesAction(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int exit = help.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            WriteDetails(parseResult.CommandResult.Command, output);
            WriteExamples(parseResult.CommandResult.Command, output);
            return exit;
        }
    }
}

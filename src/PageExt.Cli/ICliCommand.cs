using System.CommandLine;

namespace PageExt.Cli;

/// <summary>
/// One `pageext` subcommand. Adding a command is one new file with a class implementing this and
/// one line in <see cref="Commands.CommandTable.All"/>. <see cref="Create"/> returns the System.CommandLine
/// definition: options and arguments with descriptions (help, typo suggestions and tab completion
/// come from them), and an action that returns an exit code from <see cref="ExitCodes"/>. Commands
/// stay thin: they call a library and write through the context's writers, so tests capture
/// everything; an expected failure throws <see cref="CliException"/> and the top-level handler
/// turns it into one line.
/// </summary>
internal interface ICliCommand
{
    /// <summary>Builds the command; the context is where its action writes.</summary>
    Command Create(CliContext context);
}

namespace PageExt.Cli;

/// <summary>
/// One `pageext` subcommand. Commands are thin: they parse their own arguments (the kernel tools
/// they mirror use getopt conventions that a generic parser would bend), call a library, and write
/// through the writers they are handed so tests can capture everything.
/// </summary>
internal interface ICliCommand
{
    string Name { get; }

    /// <summary>One line for `pageext --help`.</summary>
    string Summary { get; }

    /// <returns>The process exit code.</returns>
    int Run(IReadOnlyList<string> args, CliContext context);
}

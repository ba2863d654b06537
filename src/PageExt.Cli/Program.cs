using System.Runtime.InteropServices;
using PageExt.Cli;
using PageExt.Cli.Commands;
using PageExt.Cli.Files;

// An interrupted run leaves no temporary file, and no folder it created, behind; the default
// action (exit) follows.
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => DeleteAbandoned());
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => DeleteAbandoned());
using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => DeleteAbandoned());
return CommandTable.Run(args, CliContext.FromConsole());

static void DeleteAbandoned()
{
    OutputFile.DeleteAbandoned();
    OutputFolder.DeleteAbandoned();
}

using System.Runtime.InteropServices;
using PageExt.Cli;
using PageExt.Cli.Files;

// An interrupted run leaves no temporary file behind; the default action (exit) follows.
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => OutputFile.DeleteAbandoned());
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => OutputFile.DeleteAbandoned());
using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => OutputFile.DeleteAbandoned());
return CommandTable.Run(args, CliContext.FromConsole());

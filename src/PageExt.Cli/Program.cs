using PageExt.Cli;

return CommandTable.Run(args, CliContext.FromConsole());

using Millwright.Cli;

return await MillwrightCli.RunAsync(args, CliIo.FromConsole()).ConfigureAwait(false);

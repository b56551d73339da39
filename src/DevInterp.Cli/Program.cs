return DevInterp.Cli.CliApp.Run(args);

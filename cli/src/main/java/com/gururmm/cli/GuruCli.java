package com.gururmm.cli;

import com.gururmm.cli.commands.AgentsCommand;
import com.gururmm.cli.commands.CommandCommand;
import com.gururmm.cli.commands.EnrollTokenCommand;
import com.gururmm.cli.commands.LoginCommand;
import com.gururmm.cli.commands.LogoutCommand;
import com.gururmm.cli.commands.WhoamiCommand;
import com.gururmm.cli.releases.ReleasesCommand;
import com.gururmm.cli.run.RunCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code gururmm}: the GuruRMM API from a terminal. Entry point of {@code cli/target/gururmm.jar}. */
@Command(name = "gururmm",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Drive a GuruRMM server from a terminal or a script.",
        subcommands = {
                LoginCommand.class, LogoutCommand.class, WhoamiCommand.class,
                AgentsCommand.class, RunCommand.class, CommandCommand.class, EnrollTokenCommand.class, ReleasesCommand.class,
                com.gururmm.cli.inventory.InventoryCommand.class,
                com.gururmm.cli.shell.ShellCommand.class,
                com.gururmm.cli.alerts.AlertsCommand.class, com.gururmm.cli.alerts.ChecksCommand.class,
                com.gururmm.cli.notifications.NotificationsCommand.class,
                com.gururmm.cli.tenancy.UsersCommand.class, com.gururmm.cli.tenancy.ClientsCommand.class,
                com.gururmm.cli.tenancy.SitesCommand.class,
                com.gururmm.cli.automation.ScriptsCommand.class, com.gururmm.cli.automation.SchedulesCommand.class, com.gururmm.cli.tenancy.ApiKeysCommand.class,
                com.gururmm.cli.files.FilesCommand.class, com.gururmm.cli.builds.BuildsCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
                "  gururmm login --server http://rmm.example.com:3001 --email me@example.com",
                "  gururmm agents list --status online",
                "  gururmm run --agent web01 --file fix.ps1 --wait",
                "  gururmm run --hostname 'web*' --type bash --command 'uptime' --wait",
                "  gururmm agents list --output json | jq -r '.[].hostname'",
                "  gururmm releases publish gururmm-agent-linux-amd64-1.2.3.jar",
                "  gururmm shell web01",
                "  gururmm files push ./fix.sh web01:/usr/local/bin/fix.sh",
                "",
                "Exit codes: 0 ok, 1 API error, 2 usage error, 3 not logged in, 4 unreachable;",
                "run --wait: the remote exit code, 124 timeout, 125 failed, 130 cancelled."})
public final class GuruCli implements Runnable {

    /** Declared here so every subcommand inherits it; {@link ErrorReporter} reads it from the parse result. */
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    private boolean debug;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    /** The whole command tree wired to {@code terminal}. */
    public static CommandLine commandLine(Terminal terminal) {
        CommandLine commandLine = new CommandLine(GuruCli.class, new CliFactory(terminal));
        // picocli's own completion generator, under a friendlier name and listed in --help.
        CommandLine completion = new CommandLine(new AutoComplete.GenerateCompletion());
        completion.getCommandSpec().usageMessage().hidden(false)
                .description("Print a bash/zsh completion script: source <(gururmm completion)");
        commandLine.addSubcommand("completion", completion);
        ErrorReporter errors = new ErrorReporter();
        commandLine.setExecutionExceptionHandler(errors);
        commandLine.setParameterExceptionHandler(errors);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // Examples are command lines: wrapped at 80 columns they can no longer be pasted.
        commandLine.setUsageHelpWidth(100);
        commandLine.setOut(terminal.out());
        commandLine.setErr(terminal.err());
        return commandLine;
    }

    public static int run(Terminal terminal, String... args) {
        return commandLine(terminal).execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(Terminal.system(), args));
    }
}

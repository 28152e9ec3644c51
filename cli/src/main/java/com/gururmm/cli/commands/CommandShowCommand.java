package com.gururmm.cli.commands;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.protocol.api.Commands.CommandView;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code GET /api/commands/{id}}. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show a command's status, exit code and output.",
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm command show 3f2a9c4e-1b2d-4c5e-8f90-123456789abc",
                "  gururmm command show $ID --output json | jq -r .stdout",
                "  gururmm command show $ID --wait 60    # answers once it has finished (or after 60 s)"})
public final class CommandShowCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Parameters(paramLabel = "COMMAND_ID", converter = CommandIds.class, description = "The id 'gururmm run' printed.")
    private UUID id;

    @Option(names = "--raw", description = "Print the script and its output unchanged even on a terminal"
            + " (by default control characters are escaped there; pipes and files always get them unchanged).")
    private boolean raw;

    @Option(names = "--wait", paramLabel = "SECONDS",
            description = "Wait up to SECONDS (at most 300) for the command to leave queued/running; the server answers the moment it does.")
    private Integer waitSeconds;

    @Override
    public Integer call() {
        if (waitSeconds != null && (waitSeconds < 0 || waitSeconds > 300)) {
            throw CliException.usage("--wait must be between 0 and 300 seconds; got " + waitSeconds + ".");
        }
        CommandView view = waitSeconds == null ? session.client().command(id) : session.client().command(id, waitSeconds);
        if (output.isJson()) {
            output.json(view);
        } else {
            CommandDetails.print(view, output.out(), output.outIsTerminal(), raw);
            output.out().flush();
        }
        return ExitCode.OK;
    }
}

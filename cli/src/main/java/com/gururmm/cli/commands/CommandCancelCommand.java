package com.gururmm.cli.commands;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Commands.CommandView;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code POST /api/commands/{id}/cancel}: a queued command never runs, a running one is killed. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a queued or running command (a running one is killed with its child processes).")
public final class CommandCancelCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Parameters(paramLabel = "COMMAND_ID", converter = CommandIds.class, description = "The command to cancel.")
    private UUID id;

    @Override
    public Integer call() {
        CommandView view = session.client().cancelCommand(id);
        output.print(view, () -> Table.fields().row("id", view.id()).row("status", view.status()));
        return ExitCode.OK;
    }
}

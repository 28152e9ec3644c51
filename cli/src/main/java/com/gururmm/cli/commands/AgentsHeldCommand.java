package com.gururmm.cli.commands;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.agents.Agents;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Agents.HeldCommandsResult;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code POST /api/agents/{id}/held-commands/release|discard} (admin): decide on the commands held
 * when a machine enrolled again (docs/OPERATIONS.md, "Re-enrolment hold").
 */
@Command(name = "held", mixinStandardHelpOptions = true,
        description = "Release (run) or discard the commands held when this agent's machine enrolled again (admin).",
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm agents held release web01            # all of web01's held commands",
                "  gururmm agents held discard web01 3f2a9c4e-1b2d-4c5e-8f90-123456789abc"})
public final class AgentsHeldCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Parameters(index = "0", paramLabel = "ACTION", description = "release or discard")
    private String action;

    @Parameters(index = "1", paramLabel = "AGENT", description = "Agent id, id prefix or hostname.")
    private String agent;

    @Parameters(index = "2..*", paramLabel = "COMMAND_ID", converter = CommandIds.class,
            description = "Only these held commands (default: all of them).")
    private List<UUID> commandIds;

    @Override
    public Integer call() {
        boolean release = switch (action) {
            case "release" -> true;
            case "discard" -> false;
            default -> throw CliException.usage("ACTION must be release or discard; got '" + action + "'.");
        };
        UUID agentId = Agents.resolve(session.client(), agent).id();
        HeldCommandsResult result = session.client().decideHeldCommands(agentId,
                commandIds == null || commandIds.isEmpty() ? null : commandIds, release);
        output.print(result, () -> Table.fields().row("agent", result.agentId()).row("action", result.action())
                .row("commands", result.commandIds().size() + (result.commandIds().isEmpty() ? "" : " " + result.commandIds())));
        return ExitCode.OK;
    }
}

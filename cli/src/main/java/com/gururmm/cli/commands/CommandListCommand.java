package com.gururmm.cli.commands;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.agents.Agents;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.CommandStatus;
import com.gururmm.protocol.api.Commands.CommandView;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code GET /api/agents/{id}/commands}: an agent's history, newest first. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
        description = "List an agent's commands, newest first.",
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm command list --agent web01", "  gururmm command list --agent web01 --status failed --limit 10"})
public final class CommandListCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Option(names = "--agent", required = true, paramLabel = "AGENT", description = "Agent id, id prefix or hostname.")
    private String agent;

    @Option(names = "--status", paramLabel = "STATUS", description = "Only this status: ${COMPLETION-CANDIDATES}.")
    private CommandStatus status;

    @Option(names = "--limit", paramLabel = "N", description = "At most N commands (1-1000; server default 100).")
    private Integer limit;

    @Override
    public Integer call() {
        GuruClient client = session.client();
        List<CommandView> commands = client.agentCommands(Agents.resolve(client, agent).id(),
                status == null ? null : status.wireName(), limit);
        output.print(commands, () -> {
            Table table = Table.of("ID", "TYPE", "CONTEXT", "STATUS", "EXIT", "CREATED", "BY");
            commands.forEach(c -> table.row(c.id(), c.commandType(), c.context(), c.status(), c.exitCode(), c.createdAt(), c.createdBy()));
            return table;
        });
        return ExitCode.OK;
    }
}

package com.gururmm.cli.commands;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.agents.AgentFilter;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Agents.AgentSummary;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * {@code GET /api/agents} with its filters; shared by {@code agents list} and plain
 * {@code agents} (picocli refuses a command that is a subclass of its own subcommand).
 */
abstract class AgentListing implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private AgentFilter filter;

    @Mixin
    private Output output;

    @Override
    public Integer call() {
        List<AgentSummary> agents = session.client().agents(filter.query());
        output.print(agents, () -> {
            Table table = Table.of("ID", "HOSTNAME", "STATUS", "OS", "ARCH", "VERSION", "CLIENT", "SITE", "LAST SEEN");
            agents.forEach(a -> table.row(a.id(), a.hostname(), a.status(), a.os(), a.arch(), a.version(), a.clientName(), a.site(), a.lastSeen()));
            return table;
        });
        return ExitCode.OK;
    }
}

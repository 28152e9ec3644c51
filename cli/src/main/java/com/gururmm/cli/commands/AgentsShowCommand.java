package com.gururmm.cli.commands;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.agents.Agents;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.AgentDetail;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code GET /api/agents/{id}}: one agent with its inventory and health. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show one agent with its inventory and health.",
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm agents show web01", "  gururmm agents show 3f2a9c --output json"})
public final class AgentsShowCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Parameters(paramLabel = "AGENT", description = "Agent id, id prefix or hostname.")
    private String agent;

    @Override
    public Integer call() {
        GuruClient client = session.client();
        AgentDetail a = client.agent(Agents.resolve(client, agent).id());
        output.print(a, () -> Table.fields()
                .row("id", a.id())
                .row("hostname", a.hostname())
                .row("status", a.status())
                .row("os", a.os() + (a.osVersion() == null ? "" : " " + a.osVersion()))
                .row("arch", a.arch())
                .row("version", a.version())
                .row("channel", a.channel())
                .row("site", a.site())
                .row("last_seen", a.lastSeen())
                .row("machine_uid", a.machineUid())
                .row("device_id", a.deviceId())
                .row("ip_addresses", a.ipAddresses())
                .row("logged_on_users", a.loggedOnUsers())
                .row("health", a.health() == null ? null
                        : a.health().problems().isEmpty() ? "ok" : String.join("; ", a.health().problems()))
                .row("enrolled_at", a.enrolledAt())
                .row("enroll_count", a.enrollCount()));
        return ExitCode.OK;
    }
}

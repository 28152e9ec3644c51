package com.gururmm.cli.alerts;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.agents.AgentResolver;
import com.gururmm.cli.commands.CommandIds;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Alerts.AlertView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gururmm alerts list|ack|resolve} over {@code /api/alerts}. */
@Command(name = "alerts", mixinStandardHelpOptions = true, description = "List, acknowledge and resolve alerts.",
        subcommands = {AlertsCommand.List.class, AlertsCommand.Ack.class, AlertsCommand.Resolve.class})
public final class AlertsCommand {

    static void table(Output output, java.util.List<AlertView> alerts) {
        output.print(alerts, () -> {
            Table t = Table.of("ID", "STATE", "SEVERITY", "HOSTNAME", "CHECK", "TITLE", "VALUE", "N", "SILENCED", "OPENED");
            alerts.forEach(a -> t.row(a.id(), a.state(), a.severity(), a.hostname(), a.checkKey(), a.title(), a.lastValue(), a.occurrences(),
                    a.silenced() ? "yes" : "", a.openedAt()));
            return t;
        });
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List alerts, newest first.",
            footerHeading = "%nExamples:%n", footer = {"  gururmm alerts list --state open --severity critical",
            "  gururmm alerts list --agent web-01 --output json"})
    static final class List implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Option(names = "--state", description = "open, acknowledged, resolved or active (open + acknowledged)")
        private String state;
        @Option(names = "--severity", description = "info, warning or critical")
        private String severity;
        @Option(names = "--agent", paramLabel = "ID|HOSTNAME", description = "Only this agent's alerts")
        private String agent;
        @Option(names = "--check", paramLabel = "KEY", description = "Only alerts of this check key")
        private String check;
        @Option(names = "--limit", description = "At most this many (default 200)")
        private Integer limit;

        @Override
        public Integer call() {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("state", state);
            q.put("severity", severity);
            if (agent != null) {
                UUID id = new AgentResolver(session.client().agents()).resolve(agent).id();
                q.put("agent", id.toString());
            }
            q.put("check", check);
            q.put("limit", limit == null ? null : limit.toString());
            java.util.List<AlertView> alerts = session.client().alerts(q);
            table(output, alerts);
            return ExitCode.OK;
        }
    }

    @Command(name = "ack", aliases = "acknowledge", mixinStandardHelpOptions = true, description = "Acknowledge an open alert.")
    static final class Ack implements Callable<Integer> {
        private final Terminal terminal;
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Parameters(paramLabel = "ALERT_ID", converter = CommandIds.class, description = "The alert's id (from 'alerts list').")
        private UUID id;

        Ack(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            AlertView a = session.client().acknowledgeAlert(id);
            if (output.isJson()) {
                output.json(a);
            } else {
                terminal.out().println("Acknowledged alert " + a.id() + " (" + a.checkKey() + ").");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true, description = "Resolve an alert by hand.")
    static final class Resolve implements Callable<Integer> {
        private final Terminal terminal;
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Parameters(paramLabel = "ALERT_ID", converter = CommandIds.class, description = "The alert's id (from 'alerts list').")
        private UUID id;

        Resolve(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            AlertView a = session.client().resolveAlert(id);
            if (output.isJson()) {
                output.json(a);
            } else {
                terminal.out().println("Resolved alert " + a.id() + " (" + a.checkKey() + ").");
            }
            return ExitCode.OK;
        }
    }

    private AlertsCommand() {
    }
}

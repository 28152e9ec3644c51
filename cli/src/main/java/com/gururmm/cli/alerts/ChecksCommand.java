package com.gururmm.cli.alerts;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.agents.AgentResolver;
import com.gururmm.cli.commands.CommandIds;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Checks.CheckRequest;
import com.gururmm.protocol.api.Checks.CheckView;
import com.gururmm.protocol.api.Checks.EffectiveCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gururmm checks list|add|delete} over {@code /api/checks}. */
@Command(name = "checks", mixinStandardHelpOptions = true, description = "List, add and delete checks.",
        subcommands = {ChecksCommand.ListChecks.class, ChecksCommand.Add.class, ChecksCommand.Delete.class})
public final class ChecksCommand {
    private ChecksCommand() {
    }

    static String target(CheckView c) {
        return switch (c.kind()) {
            case "metric_threshold" -> c.metric() + " " + c.operator() + " " + c.threshold() + (c.duration() == null ? "" : " for " + c.duration());
            case "agent_offline" -> c.minutes() + " min";
            case "service" -> c.service();
            case "process" -> c.process();
            case "tcp_port" -> c.host() + ":" + c.port();
            case "http" -> c.url();
            case "pending_updates_older_than_days" -> c.days() + " days";
            default -> "";
        };
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
            description = "List checks; with --agent, the checks that apply to that agent and where each comes from.")
    static final class ListChecks implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Option(names = "--agent", paramLabel = "ID|HOSTNAME", description = "The effective checks of this agent (fleet, site and own)")
        private String agent;
        @Option(names = "--scope", description = "fleet, site or agent")
        private String scope;

        @Override
        public Integer call() {
            if (agent != null) {
                UUID id = new AgentResolver(session.client().agents()).resolve(agent).id();
                List<EffectiveCheck> checks = session.client().agentChecks(id);
                output.print(checks, () -> {
                    Table t = Table.of("ID", "KEY", "KIND", "ORIGIN", "ENABLED", "SEVERITY", "TARGET", "LAST", "LAST AT");
                    checks.forEach(e -> t.row(e.check().id(), e.check().key(), e.check().kind(), e.origin(), e.check().enabled(),
                            e.check().severity(), target(e.check()), e.lastStatus(), e.lastResultAt()));
                    return t;
                });
                return ExitCode.OK;
            }
            Map<String, String> q = new LinkedHashMap<>();
            q.put("scope", scope);
            List<CheckView> checks = session.client().checks(q);
            output.print(checks, () -> {
                Table t = Table.of("ID", "KEY", "KIND", "SCOPE", "SITE", "AGENT", "ENABLED", "SEVERITY", "TARGET");
                checks.forEach(c -> t.row(c.id(), c.key(), c.kind(), c.scope(), c.site(), c.agentId(), c.enabled(), c.severity(), target(c)));
                return t;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a check (fleet-wide without --agent/--site: admin only).",
            footerHeading = "%nExamples:%n", footer = {
            "  gururmm checks add --kind metric_threshold --metric disk.percent:/ --operator '>' --threshold 90 --duration 5m --agent web-01",
            "  gururmm checks add --kind agent_offline --minutes 10 --severity critical",
            "  gururmm checks add --kind service --service nginx --site hq",
            "  gururmm checks add --kind script --script-type bash --script 'df -h / | tail -1; exit 0' --interval-minutes 15 --agent web-01"})
    static final class Add implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Option(names = "--kind", required = true, description = "metric_threshold, agent_offline, service, process, tcp_port, http, "
                + "pending_updates_older_than_days, reboot_required or script")
        private String kind;
        @Option(names = "--key", description = "Stable key (an override at a narrower scope uses the same key); default: derived")
        private String key;
        @Option(names = "--name", description = "Title shown on alerts")
        private String name;
        @Option(names = "--agent", paramLabel = "ID|HOSTNAME", description = "For this agent only")
        private String agent;
        @Option(names = "--site", description = "For the agents of this site")
        private String site;
        @Option(names = "--severity", description = "info, warning or critical")
        private String severity;
        @Option(names = "--disabled", description = "Create it switched off (an override that disables an inherited check)")
        private boolean disabled;
        @Option(names = "--metric") private String metric;
        @Option(names = "--operator", description = "> or <") private String operator;
        @Option(names = "--threshold") private Double threshold;
        @Option(names = "--duration", description = "e.g. 5m, 90s") private String duration;
        @Option(names = "--minutes", description = "agent_offline: minutes without a connection") private Double minutes;
        @Option(names = "--service") private String service;
        @Option(names = "--process") private String process;
        @Option(names = "--host") private String host;
        @Option(names = "--port") private Integer port;
        @Option(names = "--url") private String url;
        @Option(names = "--timeout-seconds") private Integer timeoutSeconds;
        @Option(names = "--expected-status") private Integer expectedStatus;
        @Option(names = "--days") private Integer days;
        @Option(names = "--script") private String script;
        @Option(names = "--script-type") private String scriptType;
        @Option(names = "--interval-minutes") private Double intervalMinutes;

        @Override
        public Integer call() {
            UUID agentId = agent == null ? null : new AgentResolver(session.client().agents()).resolve(agent).id();
            String scope = agentId != null ? "agent" : site != null ? "site" : "fleet";
            CheckRequest request = new CheckRequest(key, name, scope, site, agentId, kind, disabled ? Boolean.FALSE : null, severity, metric,
                    operator, threshold, duration, minutes, service, process, host, port, url, timeoutSeconds, expectedStatus, days, script,
                    scriptType, intervalMinutes);
            CheckView created = session.client().createCheck(request);
            output.print(created, () -> Table.fields().row("id", created.id()).row("key", created.key()).row("kind", created.kind())
                    .row("scope", created.scope()).row("severity", created.severity()).row("target", target(created)));
            return ExitCode.OK;
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true, description = "Delete a check; its unresolved alerts resolve.")
    static final class Delete implements Callable<Integer> {
        private final Terminal terminal;
        @Mixin
        private Session session;
        @Parameters(paramLabel = "CHECK_ID", converter = CommandIds.class, description = "The check's id (from 'checks list').")
        private UUID id;

        Delete(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            session.client().deleteCheck(id);
            terminal.out().println("Deleted check " + id + ".");
            return ExitCode.OK;
        }
    }
}

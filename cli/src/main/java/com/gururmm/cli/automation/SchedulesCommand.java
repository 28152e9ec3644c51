package com.gururmm.cli.automation;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.agents.AgentResolver;
import com.gururmm.cli.commands.CommandIds;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Schedules.ScheduleRequest;
import com.gururmm.protocol.api.Schedules.ScheduleRun;
import com.gururmm.protocol.api.Schedules.ScheduleView;
import com.gururmm.protocol.api.Scripts.ScriptView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gururmm schedules list|create|runs|delete} over {@code /api/schedules}. */
@Command(name = "schedules", mixinStandardHelpOptions = true, description = "Scheduled tasks: a saved script on a cron, an interval or once.",
        subcommands = {SchedulesCommand.ListSchedules.class, SchedulesCommand.Create.class, SchedulesCommand.Runs.class, SchedulesCommand.Delete.class},
        footerHeading = "%nExamples:%n", footer = {
        "  gururmm schedules create 'Disk cleanup' --site-id 5d1c... --cron '0 3 * * *' --time-zone Europe/Berlin --param path=/var/tmp",
        "  gururmm schedules runs 7a0e..."})
public final class SchedulesCommand {
    private SchedulesCommand() {
    }

    static String timing(ScheduleView s) {
        return switch (s.kind()) {
            case "cron" -> s.cron() + " (" + s.timeZone() + ")";
            case "interval" -> "every " + s.intervalSeconds() + " s";
            default -> "at " + s.at();
        };
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "Schedules in your scope.")
    static final class ListSchedules implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;

        @Override
        public Integer call() {
            List<ScheduleView> all = session.client().schedules(Map.of());
            output.print(all, () -> {
                Table t = Table.of("ID", "NAME", "SCRIPT", "VERSION", "WHEN", "ENABLED", "NEXT RUN", "POLICY");
                all.forEach(s -> t.row(s.id(), s.name(), s.scriptName(), s.scriptVersion(), timing(s), s.enabled(), s.nextRunAt(), s.policyId()));
                return t;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Schedule a saved script (exactly one of --cron, --every, --at).")
    static final class Create implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Parameters(paramLabel = "SCRIPT", description = "Id or name")
        private String script;
        @Option(names = "--name")
        private String name;
        @Option(names = "--cron", description = "5 fields (or 6 with leading seconds)")
        private String cron;
        @Option(names = "--every", paramLabel = "SECONDS", description = "An interval in seconds")
        private Integer every;
        @Option(names = "--at", description = "Once, at this ISO-8601 time")
        private Instant at;
        @Option(names = "--time-zone", description = "IANA zone the cron expression is read in (default UTC)")
        private String zone;
        @Option(names = "--skip-if-missed", description = "Skip occurrences the server or an agent was down for")
        private boolean skip;
        @Option(names = "--agent", paramLabel = "ID|HOSTNAME")
        private List<String> agents = new ArrayList<>();
        @Option(names = "--site-id")
        private UUID siteId;
        @Option(names = "--client-id")
        private UUID clientId;
        @Option(names = "--os")
        private String os;
        @Option(names = "--all", description = "Every agent (in your scope)")
        private boolean all;
        @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE")
        private List<String> params = new ArrayList<>();

        @Override
        public Integer call() {
            GuruClient client = session.client();
            ScriptView s = ScriptsCommand.resolve(client, script);
            Map<String, String> types = new LinkedHashMap<>();
            s.parameters().forEach(p -> types.put(p.name(), p.type()));
            Map<String, Object> values = new LinkedHashMap<>();
            for (String p : params) {
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new CliException(ExitCode.USAGE, "--param '" + p + "': write NAME=VALUE.");
                }
                values.put(p.substring(0, eq), ScriptsCommand.typed(types.get(p.substring(0, eq)), p.substring(eq + 1)));
            }
            List<UUID> ids = null;
            AgentFilter filter = null;
            if (!agents.isEmpty()) {
                AgentResolver resolver = new AgentResolver(client.agents());
                ids = agents.stream().map(a -> resolver.resolve(a).id()).toList();
            } else if (siteId != null || clientId != null || os != null || all) {
                filter = new AgentFilter(null, os, null, null, clientId, siteId);
            } else {
                throw new CliException(ExitCode.USAGE, "Name the targets: --agent (repeatable), --site-id, --client-id, --os or --all.");
            }
            ScheduleView v = client.createSchedule(new ScheduleRequest(name, s.id(), null, values, ids, filter, cron, every, at, zone,
                    skip ? Boolean.TRUE : null, null));
            output.print(v, () -> Table.fields().row("id", v.id()).row("when", timing(v)).row("next run", v.nextRunAt()));
            return ExitCode.OK;
        }
    }

    @Command(name = "runs", mixinStandardHelpOptions = true, description = "A schedule's occurrences, newest first.")
    static final class Runs implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Parameters(paramLabel = "SCHEDULE_ID", converter = CommandIds.class)
        private UUID id;

        @Override
        public Integer call() {
            List<ScheduleRun> runs = session.client().scheduleRuns(id);
            output.print(runs, () -> {
                Table t = Table.of("OCCURRENCE", "STATUS", "BATCH", "AGENTS", "COUNTS", "MESSAGE");
                runs.forEach(r -> t.row(r.occurrenceAt(), r.status(), r.batchId(), r.agentCount(), r.counts(), r.message()));
                return t;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true, description = "Delete a schedule and its history.")
    static final class Delete implements Callable<Integer> {
        private final Terminal terminal;
        @Mixin
        private Session session;
        @Parameters(paramLabel = "SCHEDULE_ID", converter = CommandIds.class)
        private UUID id;

        Delete(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            session.client().deleteSchedule(id);
            terminal.out().println("Deleted schedule " + id + ".");
            return ExitCode.OK;
        }
    }
}

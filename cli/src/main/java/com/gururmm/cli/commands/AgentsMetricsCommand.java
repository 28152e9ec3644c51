package com.gururmm.cli.commands;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.agents.Agents;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Metrics.MetricSeries;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code GET /api/agents/{id}/metrics}: one agent's metrics as a table (a row per time step) or the series as JSON. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = "Show one agent's metrics over a time range: a row per step, a column per metric.",
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm agents metrics web01", "  gururmm agents metrics web01 --from -24h --step 3600",
                "  gururmm agents metrics web01 --metric cpu.percent --metric disk.percent:/ --output json"})
public final class AgentsMetricsCommand implements Callable<Integer> {
    private static final Pattern RELATIVE = Pattern.compile("-(\\d+)([smhd])");
    private static final List<String> DEFAULT_COLUMNS = List.of("cpu.percent", "memory.percent", "load.1", "net.rx_bps", "net.tx_bps");

    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Parameters(paramLabel = "AGENT", description = "Agent id, id prefix or hostname.")
    private String agent;

    @Option(names = "--from", description = "Start: -1h, -30m, -7d, epoch seconds or an ISO-8601 instant (default: an hour before --to).")
    private String from;

    @Option(names = "--to", description = "End: now, -1h, epoch seconds or an ISO-8601 instant (default: now).")
    private String to;

    @Option(names = "--step", description = "Seconds per row (default: chosen by the server; 3600 and more read the hourly rollups).")
    private Long step;

    @Option(names = "--metric", paramLabel = "NAME",
            description = "A metric to show (repeatable; default: CPU, memory, load, network and every disk's percent).")
    private List<String> metrics = new ArrayList<>();

    @Override
    public Integer call() {
        Instant now = Instant.now();
        Instant end = to == null ? now : parse("--to", to, now);
        Instant start = from == null ? null : parse("--from", from, now);
        GuruClient client = session.client();
        MetricSeries s = client.agentMetrics(Agents.resolve(client, agent).id(), start, to == null && start == null ? null : end, step);
        List<String> columns = new ArrayList<>();
        if (metrics.isEmpty()) {
            DEFAULT_COLUMNS.stream().filter(s.series()::containsKey).forEach(columns::add);
            s.series().keySet().stream().filter(k -> k.startsWith("disk.percent:")).forEach(columns::add);
        } else {
            columns.addAll(metrics);
        }
        output.print(s, () -> {
            List<String> headers = new ArrayList<>();
            headers.add("time");
            headers.addAll(columns);
            Table table = Table.of(headers.toArray(String[]::new));
            for (int i = 0; i < s.timestamps().size(); i++) {
                int row = i;
                if (columns.stream().allMatch(c -> value(s, c, row) == null)) {
                    continue;
                }
                List<Object> cells = new ArrayList<>();
                cells.add(Instant.ofEpochSecond(s.timestamps().get(i)));
                columns.forEach(c -> cells.add(format(value(s, c, row))));
                table.row(cells.toArray());
            }
            return table;
        });
        return ExitCode.OK;
    }

    private static Double value(MetricSeries s, String column, int row) {
        List<Double> values = s.series().get(column);
        return values == null || row >= values.size() ? null : values.get(row);
    }

    private static String format(Double v) {
        if (v == null) {
            return "-";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString(v.longValue()) : String.format(Locale.ROOT, "%.2f", v);
    }

    static Instant parse(String option, String value, Instant now) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("now")) {
            return now;
        }
        Matcher m = RELATIVE.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
        if (v.matches("\\d{1,12}")) {
            return Instant.ofEpochSecond(Long.parseLong(v));
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw CliException.usage(option + " '" + value + "' is not a time; use now, -1h, -30m, -7d, epoch seconds or 2026-03-01T12:00:00Z.");
        }
    }
}

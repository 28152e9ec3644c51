package com.gururmm.cli.run;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.RemoteOutput;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.text.ControlChars;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The end of {@code run --wait} on several agents: each agent's output under a header,
 * then a summary table (or, with {@code --output json}, the array of command results).
 * Exits 0 only if every agent ran the script to exit code 0. Headers escape the hostname;
 * the outputs follow {@link RemoteOutput}.
 */
final class FleetReport {
    private FleetReport() {
    }

    static int print(Output output, Terminal terminal, boolean raw, List<Submission> submissions, Map<UUID, CommandView> results) {
        List<CommandView> views = submissions.stream().filter(Submission::submitted).map(s -> results.get(s.commandId())).toList();
        boolean allOk = submissions.stream().allMatch(Submission::submitted) && views.stream().allMatch(RemoteExit::succeeded);
        if (output.isJson()) {
            output.json(views);
        } else {
            printOutputs(output, terminal, raw, submissions, results);
            summary(submissions, results).print(output.out());
            output.out().flush();
        }
        return allOk ? ExitCode.OK : ExitCode.API_ERROR;
    }

    private static void printOutputs(Output output, Terminal terminal, boolean raw, List<Submission> submissions,
                                     Map<UUID, CommandView> results) {
        for (Submission s : submissions) {
            CommandView v = s.submitted() ? results.get(s.commandId()) : null;
            if (v == null) {
                continue;
            }
            block(output.out(), s.hostname(), v, RemoteOutput.text(v.stdout(), terminal.outIsTerminal(), raw));
            block(output.err(), s.hostname(), v, RemoteOutput.text(v.stderr(), terminal.errIsTerminal(), raw));
        }
    }

    private static void block(PrintWriter out, String hostname, CommandView v, String text) {
        if (text == null || text.isEmpty()) {
            return;
        }
        out.println("=== " + ControlChars.escape(hostname) + " (" + ControlChars.escape(v.status())
                + (v.exitCode() == null ? "" : ", exit " + v.exitCode()) + ") ===");
        out.print(text.endsWith("\n") ? text : text + "\n");
        out.flush();
    }

    private static Table summary(List<Submission> submissions, Map<UUID, CommandView> results) {
        Table table = Table.of("HOSTNAME", "AGENT", "STATUS", "EXIT", "DURATION", "COMMAND", "ERROR");
        List<Object[]> rows = new ArrayList<>();
        for (Submission s : submissions) {
            CommandView v = s.submitted() ? results.get(s.commandId()) : null;
            if (v == null) {
                rows.add(new Object[] {s.hostname(), s.agentId(), "not submitted", null, null, null, s.error()});
            } else {
                rows.add(new Object[] {s.hostname(), s.agentId(), v.status(), v.exitCode(), duration(v), v.id(), v.error()});
            }
        }
        rows.forEach(table::row);
        return table;
    }

    private static String duration(CommandView v) {
        if (v.startedAt() == null || v.completedAt() == null) {
            return null;
        }
        Duration d = Duration.between(v.startedAt(), v.completedAt());
        return String.format("%d.%01ds", d.toSeconds(), d.toMillisPart() / 100);
    }
}

package com.gururmm.cli.commands;

import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Commands.CommandView;
import java.io.PrintWriter;

/** The table form of one command: its fields, then its output as it was captured. */
final class CommandDetails {
    private CommandDetails() {
    }

    static Table fields(CommandView c) {
        return Table.fields()
                .row("id", c.id())
                .row("agent_id", c.agentId())
                .row("command_type", c.commandType())
                .row("context", c.context())
                .row("status", c.status())
                .row("exit_code", c.exitCode())
                .row("error", c.error())
                .row("timeout_seconds", c.timeoutSeconds())
                .row("created_by", c.createdBy())
                .row("created_at", c.createdAt())
                .row("started_at", c.startedAt())
                .row("completed_at", c.completedAt());
    }

    static void print(CommandView c, PrintWriter out) {
        fields(c).print(out);
        section(out, "command", c.commandText(), false);
        section(out, "stdout", c.stdout(), c.stdoutTruncated());
        section(out, "stderr", c.stderr(), c.stderrTruncated());
    }

    private static void section(PrintWriter out, String name, String text, boolean truncated) {
        if (text == null || text.isEmpty()) {
            return;
        }
        out.println();
        out.println("--- " + name + (truncated ? " (truncated)" : "") + " ---");
        out.print(text.endsWith("\n") ? text : text + "\n");
    }
}

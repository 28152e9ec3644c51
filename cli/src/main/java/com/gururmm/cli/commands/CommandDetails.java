package com.gururmm.cli.commands;

import com.gururmm.cli.output.RemoteOutput;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Commands.CommandView;
import java.io.PrintWriter;

/**
 * The table form of one command: its fields, then its script and output as they were
 * captured ({@link RemoteOutput}: escaped on a terminal unless {@code --raw}).
 */
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

    /** @param toTerminal whether {@code out} is a terminal; {@code raw} prints the captured text unchanged there too */
    static void print(CommandView c, PrintWriter out, boolean toTerminal, boolean raw) {
        fields(c).print(out);
        section(out, "command", RemoteOutput.text(c.commandText(), toTerminal, raw), false);
        section(out, "stdout", RemoteOutput.text(c.stdout(), toTerminal, raw), c.stdoutTruncated());
        section(out, "stderr", RemoteOutput.text(c.stderr(), toTerminal, raw), c.stderrTruncated());
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

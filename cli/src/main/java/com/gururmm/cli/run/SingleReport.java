package com.gururmm.cli.run;

import com.gururmm.cli.Terminal;
import com.gururmm.cli.output.RemoteOutput;
import com.gururmm.protocol.text.ControlChars;
import com.gururmm.protocol.api.Commands.CommandView;
import java.util.Map;
import java.util.UUID;

/**
 * {@code run --wait} on one agent: status changes go to stderr as they happen, then the
 * remote stdout and stderr go to this process's stdout and stderr byte for byte, so the
 * CLI can stand in for the remote script in a pipeline ({@link RemoteOutput}: escaped on a
 * terminal unless {@code --raw}). The CLI's own lines escape the hostname and every message
 * the server or agent supplied.
 */
final class SingleReport {
    private final Terminal terminal;
    private final String hostname;
    private final boolean quiet;
    private final boolean raw;

    SingleReport(Terminal terminal, String hostname, boolean quiet, boolean raw) {
        this.terminal = terminal;
        this.hostname = ControlChars.escape(hostname);
        this.quiet = quiet;
        this.raw = raw;
    }

    void onChange(Map<UUID, CommandView> snapshot) {
        if (quiet) {
            return;
        }
        CommandView view = snapshot.values().iterator().next();
        String line = switch (view.status()) {
            case "queued" -> "queued: " + hostname + " is not connected; the command runs when it connects (Ctrl-C stops waiting, not the command).";
            case "held" -> "held: " + hostname + " enrolled again since this command was queued; it runs only when an admin releases it ("
                    + view.holdReason() + ").";
            case "running" -> "running on " + hostname + "...";
            default -> null; // the final status is reported by finish()
        };
        if (line != null) {
            terminal.err().println(line);
            terminal.err().flush();
        }
    }

    void finish(CommandView view) {
        if (view.stdout() != null) {
            terminal.out().print(RemoteOutput.text(view.stdout(), terminal.outIsTerminal(), raw));
            terminal.out().flush();
        }
        if (view.stderr() != null) {
            terminal.err().print(RemoteOutput.text(view.stderr(), terminal.errIsTerminal(), raw));
        }
        notes(view);
    }

    /** The end of {@code run --follow}: the output is already printed ({@link OutputFollower}); the status lines follow. */
    void finishFollowed(CommandView view) {
        notes(view);
    }

    private void notes(CommandView view) {
        if (view.agentSandbox() != null && !quiet) {
            terminal.err().println("gururmm: note: " + ControlChars.escape(view.agentSandbox()));
        }
        if (view.stdoutTruncated() || view.stderrTruncated()) {
            terminal.err().println("gururmm: the agent truncated the output; it kept the first 1 MiB of each stream.");
        }
        if (!"completed".equals(view.status())) {
            terminal.err().println("gururmm: command " + view.id() + " on " + hostname + " " + ControlChars.escape(view.status())
                    + (view.error() == null ? "." : ": " + ControlChars.escape(view.error())));
        } else if (!quiet && view.exitCode() != null && view.exitCode() != 0) {
            terminal.err().println("gururmm: exit code " + view.exitCode() + " on " + hostname + ".");
        }
        terminal.err().flush();
    }
}

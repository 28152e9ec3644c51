package com.gururmm.cli.run;

import com.gururmm.cli.Terminal;
import com.gururmm.protocol.CommandStatus;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.text.ControlChars;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The live "3/5 done" line on stderr while a run on several agents is waited for. On a
 * terminal it is redrawn in place; in a log (stderr redirected) each change is its own line,
 * so CI output shows progress without carriage-return noise.
 */
final class ProgressLine {
    private static final String CLEAR_TO_END = "\u001b[K";

    private final Terminal terminal;
    private final int total;
    private final boolean enabled;
    private boolean drawn;

    ProgressLine(Terminal terminal, int total, boolean enabled) {
        this.terminal = terminal;
        this.total = total;
        this.enabled = enabled;
    }

    void update(Map<UUID, CommandView> snapshot) {
        if (!enabled) {
            return;
        }
        long done = snapshot.values().stream()
                .filter(v -> CommandStatus.parse(v.status()).map(CommandStatus::isTerminal).orElse(true)).count();
        String counts = new TreeMap<>(snapshot.values().stream().collect(Collectors.groupingBy(CommandView::status, Collectors.counting())))
                .entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
        String line = "[" + done + "/" + total + " done] " + ControlChars.escape(counts);
        if (terminal.interactive()) {
            terminal.err().print("\r" + line + CLEAR_TO_END);
            drawn = true;
        } else {
            terminal.err().println(line);
        }
        terminal.err().flush();
    }

    /** Ends the in-place line so the summary starts on a fresh one. */
    void close() {
        if (drawn) {
            terminal.err().println();
            terminal.err().flush();
        }
    }
}

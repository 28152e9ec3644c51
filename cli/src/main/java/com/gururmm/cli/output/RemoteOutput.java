package com.gururmm.cli.output;

import com.gururmm.protocol.text.ControlChars;

/**
 * How a script's own output is printed ({@code run --wait}, {@code command show}). It is what
 * the operator asked for, so it goes out unchanged to a pipe or a file, where scripts need the
 * exact bytes. On a terminal, where an ESC or OSC sequence from the machine would be executed
 * by the operator's terminal, control characters are escaped but lines and tabs kept
 * ({@link ControlChars#escapeKeepingLines}); {@code --raw} turns that off. docs/CLI.md says so.
 */
public final class RemoteOutput {
    private RemoteOutput() {
    }

    public static String text(String text, boolean toTerminal, boolean raw) {
        return toTerminal && !raw ? ControlChars.escapeKeepingLines(text) : text;
    }
}

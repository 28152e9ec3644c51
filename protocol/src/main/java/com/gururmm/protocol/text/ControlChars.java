package com.gururmm.protocol.text;

/**
 * Makes text from another machine safe to print: control characters become visible escapes
 * ({@code \x1b}, {@code \n}, <code>&#92;u202e</code>) so an agent cannot drive the reader's terminal
 * (ESC/OSC sequences, BEL, C1 controls), forge extra lines in a table or a log (CR, LF), or
 * reorder what is shown (Unicode bidi overrides). Shared by the CLI (every table cell, status
 * line and error message) and the server's and agent's log patterns, so the rule is one rule.
 *
 * <p>Backslashes are left alone: Windows paths and <code>DOMAIN&#92;user</code> stay readable, and
 * escaping twice gives the same text as escaping once (the output has nothing left to escape).
 */
public final class ControlChars {
    private ControlChars() {
    }

    /** Escapes every control character, line breaks included: for one-line text such as a hostname or a log message. */
    public static String escape(String text) {
        return escape(text, false);
    }

    /**
     * Escapes control characters but keeps {@code \n}, {@code \t} and the {@code \r} of a
     * {@code \r\n}: for a script's output shown on a terminal, which is meant to span lines.
     */
    public static String escapeKeepingLines(String text) {
        return escape(text, true);
    }

    /** True for a character {@link #escape} rewrites. */
    public static boolean isUnsafe(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || isBidiControl(c) || c == 0x2028 || c == 0x2029;
    }

    /** Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the invisible direction marks. */
    private static boolean isBidiControl(int c) {
        return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c;
    }

    private static String escape(String text, boolean keepLines) {
        if (text == null) {
            return null;
        }
        int first = firstUnsafe(text, keepLines);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isUnsafe(c) || (keepLines && kept(text, i))) {
                out.append(c);
            } else {
                out.append(escapeOf(c));
            }
        }
        return out.toString();
    }

    private static int firstUnsafe(String text, boolean keepLines) {
        for (int i = 0; i < text.length(); i++) {
            if (isUnsafe(text.charAt(i)) && !(keepLines && kept(text, i))) {
                return i;
            }
        }
        return -1;
    }

    /** A lone CR is escaped even in multi-line output: it would let a line overwrite what came before it. */
    private static boolean kept(String text, int i) {
        char c = text.charAt(i);
        return c == '\n' || c == '\t' || (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n');
    }

    private static String escapeOf(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> c < 0x80 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c);
        };
    }
}

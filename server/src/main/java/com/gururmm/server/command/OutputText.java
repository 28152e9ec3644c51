package com.gururmm.server.command;

/**
 * The storage form of command output (stdout/stderr). Output is the bytes a process printed,
 * and U+0000 is a legal byte in it, but PostgreSQL's TEXT cannot hold it. Output with a NUL is
 * therefore stored escaped, and the row says so ({@code commands.output_escaped}): backslash
 * becomes {@code \\}, NUL becomes {@code \0}. Everything else, and all output without a NUL,
 * is stored as is. The API always returns the original text.
 */
public final class OutputText {
    private OutputText() {
    }

    static boolean needsEscaping(String... values) {
        for (String value : values) {
            if (value != null && value.indexOf('\0') >= 0) {
                return true;
            }
        }
        return false;
    }

    static String escape(String value) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\0' -> out.append("\\0");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** The original output from its storage form; {@code escaped} is the row's {@code output_escaped}. */
    public static String stored(String value, boolean escaped) {
        return escaped ? unescape(value) : value;
    }

    static String unescape(String value) {
        if (value == null || value.indexOf('\\') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char next = value.charAt(++i);
                out.append(next == '0' ? '\0' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}

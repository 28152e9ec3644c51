package com.gururmm.agent.platform.windows;

import java.util.List;

/**
 * Joins an argv into the single command-line string {@code CreateProcessAsUser} takes, so
 * that {@code CommandLineToArgvW} (and the MSVC runtime, which PowerShell, Python and most
 * programs use) splits it back into exactly the same arguments.
 *
 * <p>The rules (Microsoft's "Parsing C++ command-line arguments"): arguments are separated by
 * spaces or tabs; a {@code "} toggles quoting; {@code 2n} backslashes before a quote become
 * {@code n} backslashes and the quote is a delimiter, {@code 2n+1} backslashes before a quote
 * become {@code n} backslashes and a literal quote; backslashes not before a quote are literal.
 * The program name (argument 0) is parsed differently, without backslash escapes, so it is
 * only wrapped in quotes and may not contain one.
 *
 * <p>{@code cmd.exe} has its own rules for what follows {@code /c}; the agent only ever hands
 * it a script path it created itself, which needs no more than this.
 */
final class CommandLine {
    private CommandLine() {
    }

    static String of(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("an empty argv has no program to start");
        }
        String program = argv.getFirst();
        if (program.isEmpty() || program.indexOf('"') >= 0) {
            throw new IllegalArgumentException("a Windows program path cannot be empty or contain a double quote: " + program);
        }
        StringBuilder line = new StringBuilder();
        line.append(needsQuotes(program) ? "\"" + program + "\"" : program);
        for (String arg : argv.subList(1, argv.size())) {
            line.append(' ');
            appendQuoted(line, arg);
        }
        return line.toString();
    }

    private static boolean needsQuotes(String arg) {
        return arg.isEmpty() || arg.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '"');
    }

    private static void appendQuoted(StringBuilder line, String arg) {
        if (!needsQuotes(arg)) {
            line.append(arg);
            return;
        }
        line.append('"');
        int backslashes = 0;
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '\\') {
                backslashes++;
                continue;
            }
            if (c == '"') {
                // Backslashes before a quote are escapes: double them, then escape the quote.
                line.repeat('\\', backslashes * 2 + 1);
            } else {
                line.repeat('\\', backslashes);
            }
            backslashes = 0;
            line.append(c);
        }
        // Trailing backslashes precede the closing quote, so they must be doubled too.
        line.repeat('\\', backslashes * 2);
        line.append('"');
    }
}

package com.gururmm.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything the CLI touches outside itself: standard streams, environment and the
 * console. Commands get it injected instead of reaching for {@link System}, so tests run
 * the real command line in-process with captured streams and their own config dir.
 *
 * @param interactive whether a person is at a terminal: enables the password prompt and
 *                    the in-place progress line
 * @param outIsTerminal whether stdout is a terminal (not a pipe or file): remote output printed
 *                      there is escaped, see {@link com.gururmm.protocol.text.ControlChars}
 * @param errIsTerminal the same for stderr
 */
public record Terminal(InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env, boolean interactive,
                       boolean outIsTerminal, boolean errIsTerminal) {

    /** Streams that are terminals exactly when a person is at one. */
    public Terminal(InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env, boolean interactive) {
        this(in, out, err, env, interactive, interactive, interactive);
    }

    /** The process's own streams, environment and console. */
    public static Terminal system() {
        boolean console = isTerminal(System.console());
        return new Terminal(System.in,
                new PrintWriter(new OutputStreamWriter(System.out, System.out.charset()), true),
                new PrintWriter(new OutputStreamWriter(System.err, System.err.charset()), true),
                System.getenv(),
                console, isTty(1, console), isTty(2, console));
    }

    /**
     * Java cannot ask whether one particular stream is a terminal, and the console check needs
     * stdin and stdout both to be one ({@code cat fix.sh | gururmm run ... --wait} has stdout on
     * the terminal but no console). On Linux {@code /proc/self/fd/N} names the device; elsewhere
     * the console answer stands in.
     */
    private static boolean isTty(int fd, boolean fallback) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return fallback;
        }
    }

    /**
     * Reads a password without echo. Null when there is no console to prompt on, so the
     * caller can point at {@code --password-stdin} instead of hanging on a pipe.
     */
    public char[] readPassword(String prompt) {
        Console console = System.console();
        if (!interactive || console == null) {
            return null;
        }
        return console.readPassword("%s", prompt);
    }

    /**
     * Since JDK 22 {@code System.console()} returns a console even when the streams are
     * redirected, and only {@code Console.isTerminal()} (22+) tells the truth. The build
     * targets Java 21, so that method is looked up reflectively.
     */
    private static boolean isTerminal(Console console) {
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // Java 21: a non-null console is a terminal
        }
    }
}

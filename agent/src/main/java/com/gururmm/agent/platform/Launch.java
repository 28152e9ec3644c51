package com.gururmm.agent.platform;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to start one command: the argv, extra environment, who should own the script file
 * (null = the agent's own user), and the starter that creates the process (null = an ordinary
 * {@link ProcessBuilder}; Windows {@code user_session} needs {@code CreateProcessAsUser}).
 */
public record Launch(List<String> argv, Map<String, String> environment, SessionUser runAs, Starter starter) {
    public Launch {
        argv = List.copyOf(argv);
        environment = Map.copyOf(environment);
    }

    public Launch(List<String> argv, Map<String, String> environment, SessionUser runAs) {
        this(argv, environment, runAs, null);
    }

    /** A user that a {@code user_session} command runs as. */
    public record SessionUser(String name, int uid, int gid, Path home) {
    }

    /**
     * Creates the process itself, for launches {@link ProcessBuilder} cannot express. The
     * returned process must have stdin at end-of-file, and should implement
     * {@link TreeKillable} if it can kill its own tree.
     */
    @FunctionalInterface
    public interface Starter {
        Process start(Path workDir, Map<String, String> environment) throws IOException, CommandRefusedException;
    }

    /**
     * The same launch with {@code variables} reaching the process. A launch that starts the
     * process through {@code env -i} (a Unix {@code user_session} command, {@link Unix#asUser})
     * would clear them, so there they become {@code NAME=value} arguments of that {@code env}:
     * still never part of the script text, but visible in the process list while it runs.
     */
    public Launch withVariables(Map<String, String> variables) {
        if (variables.isEmpty()) {
            return this;
        }
        int clear = -1;
        for (int i = 0; i + 1 < argv.size(); i++) {
            if (argv.get(i).equals("env") && argv.get(i + 1).equals("-i")) {
                clear = i + 1;
                break;
            }
        }
        if (clear < 0 || starter != null) {
            Map<String, String> merged = new java.util.HashMap<>(environment);
            merged.putAll(variables);
            return new Launch(argv, merged, runAs, starter);
        }
        List<String> out = new java.util.ArrayList<>(argv.subList(0, clear + 1));
        new java.util.TreeMap<>(variables).forEach((k, v) -> out.add(k + "=" + v));
        out.addAll(argv.subList(clear + 1, argv.size()));
        return new Launch(out, environment, runAs, starter);
    }

    /** The same launch with the script at another path (argv names the script file). */
    public Launch withScript(Path from, Path to) {
        List<String> moved = argv.stream().map(arg -> arg.equals(from.toString()) ? to.toString() : arg).toList();
        return new Launch(moved, environment, runAs, starter);
    }
}

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

    /** The same launch with the script at another path (argv names the script file). */
    public Launch withScript(Path from, Path to) {
        List<String> moved = argv.stream().map(arg -> arg.equals(from.toString()) ? to.toString() : arg).toList();
        return new Launch(moved, environment, runAs, starter);
    }
}

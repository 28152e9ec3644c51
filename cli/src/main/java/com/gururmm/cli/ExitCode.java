package com.gururmm.cli;

/**
 * The CLI's own exit codes (docs/CLI.md). With {@code run --wait} on one agent the remote
 * exit code is passed through, so the CLI's own failures use codes scripts rarely see from
 * real programs, following conventions people already know (GNU timeout's 124, 128+SIGINT).
 */
public final class ExitCode {
    public static final int OK = 0;
    /** The server refused the request (4xx/5xx), or a run on several agents did not all exit 0. */
    public static final int API_ERROR = 1;
    /** Bad options, a missing file, an unknown or ambiguous agent. */
    public static final int USAGE = 2;
    /** Not logged in, or the saved login has expired or was rejected. */
    public static final int NOT_LOGGED_IN = 3;
    /** The server could not be reached. */
    public static final int UNREACHABLE = 4;
    /** {@code --wait}: the command was killed at its deadline. */
    public static final int REMOTE_TIMEOUT = 124;
    /** {@code --wait}: the command could not run (unsupported type, no logged-on user, agent lost it). */
    public static final int REMOTE_FAILED = 125;
    /** {@code --wait}: the command was cancelled. */
    public static final int REMOTE_CANCELLED = 130;
    /** A bug in the CLI itself; {@code --debug} shows the stack trace. */
    public static final int INTERNAL = 70;

    private ExitCode() {
    }
}

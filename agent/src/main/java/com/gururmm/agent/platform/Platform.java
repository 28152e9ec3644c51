package com.gururmm.agent.platform;

import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything that differs between Windows, Linux and macOS, chosen once at start
 * ({@link #current}), so OS differences do not leak through the rest of the agent.
 */
public interface Platform {
    /** {@code windows}, {@code linux} or {@code macos}. */
    String os();

    /** The OS's stable machine identifier (SPEC section 5), or null if it cannot be read. */
    String machineUid();

    /** File name extension the interpreter expects for a script of this type. */
    String scriptExtension(CommandType type);

    /** Bytes written to the script file; scripts reach the interpreter byte-exact. */
    default byte[] scriptBytes(CommandType type, String script) {
        return script.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The process to start for {@code script} in {@code context}, or a refusal naming why
     * (interpreter missing, type unsupported on this OS, no logged-on user).
     */
    Launch launch(CommandType type, ExecutionContext context, Path script) throws CommandRefusedException;

    /**
     * Wraps an argv so the process starts in its own process group (Linux/macOS {@code setsid}),
     * letting a timeout or cancel kill the whole tree including daemonised grandchildren.
     */
    default List<String> isolate(List<String> argv) {
        return argv;
    }

    /**
     * A note for command results when the agent's view of the file system is restricted
     * compared with the host's (Linux: systemd sandbox, SPEC section 7); empty otherwise.
     */
    default java.util.Optional<String> sandboxNote() {
        return java.util.Optional.empty();
    }

    /**
     * How commands reach the host's view of the file system when the agent itself runs in a
     * restricted mount namespace (Linux, SPEC section 7); {@link HostView#SAME} elsewhere.
     */
    default HostView hostView() {
        return HostView.SAME;
    }

    /**
     * Where crash events (bugchecks, unexpected shutdowns) are read from: the Windows System
     * event log; empty on Linux and macOS, which have no equivalent the agent reports yet.
     */
    default java.util.Optional<com.gururmm.agent.events.EventLogSource> crashEvents() {
        return java.util.Optional.empty();
    }

    /** Kills the process group started by {@link #isolate}; no-op where not supported. */
    default void killGroup(long pid) {
    }

    /**
     * Installed software, services and pending updates for the system inventory (the rest of
     * it comes from OSHI on every OS).
     */
    default com.gururmm.agent.inventory.os.OsInventory osInventory() {
        return com.gururmm.agent.inventory.os.OsInventory.NONE;
    }

    /**
     * The login shell for an interactive session (tunnel) in {@code context}: the agent's own
     * user's shell for {@code system}, the logged-on user's for {@code user_session}; a refusal
     * names why none can start (no logged-on user, not supported here).
     */
    default ShellLaunch shell(ExecutionContext context) throws CommandRefusedException {
        throw new CommandRefusedException("interactive shells are not supported on " + os() + ".");
    }

    /**
     * Starts {@code argv} as {@link #isolate} would have it (in a process group of its own, stdin
     * from /dev/null) without an extra program in front, where the platform can; empty: use
     * {@code isolate} and {@link ProcessBuilder}.
     */
    default java.util.Optional<Process> startIsolated(List<String> argv, Path workDir, java.util.Map<String, String> environment)
            throws java.io.IOException {
        return java.util.Optional.empty();
    }

    static Platform current(Path machineIdFile) {
        String os = com.gururmm.protocol.Platform.currentOs();
        return switch (os) {
            case "windows" -> new WindowsPlatform();
            case "macos" -> new MacPlatform();
            default -> new LinuxPlatform(machineIdFile);
        };
    }
}

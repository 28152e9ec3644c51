package com.gururmm.agent.platform;

import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Linux: interpreters from the PATH, {@code setsid} process groups, and user sessions found
 * through logind (active local session, graphical preferred) or else utmp ({@code who}).
 */
final class LinuxPlatform extends UnixPlatform {
    private static final List<String> EXTRA_DIRS = List.of("/usr/local/bin", "/usr/bin", "/bin", "/snap/bin", "/opt/microsoft/powershell/7");
    private final Path machineIdFile;
    private volatile HostView hostView;

    LinuxPlatform(Path machineIdFile) {
        this.machineIdFile = machineIdFile;
    }

    /** One posix_spawn with a new session instead of setsid in front of the interpreter ({@link PosixSpawn}). */
    @Override
    public java.util.Optional<Process> startIsolated(List<String> argv, Path workDir, java.util.Map<String, String> environment)
            throws java.io.IOException {
        return PosixSpawn.available() ? java.util.Optional.of(PosixSpawn.start(argv, workDir, environment)) : java.util.Optional.empty();
    }

    @Override
    public HostView hostView() {
        HostView view = hostView;
        if (view == null) {
            synchronized (this) {
                if (hostView == null) {
                    hostView = HostView.detect();
                }
                view = hostView;
            }
        }
        return view;
    }

    @Override
    public com.gururmm.agent.inventory.os.OsInventory osInventory() {
        return com.gururmm.agent.inventory.os.LinuxInventory.fromEnvironment(System.getenv());
    }

    @Override
    public String os() {
        return "linux";
    }

    @Override
    public String machineUid() {
        for (Path candidate : List.of(machineIdFile, Path.of("/var/lib/dbus/machine-id"))) {
            try {
                if (Files.isRegularFile(candidate)) {
                    String id = Files.readString(candidate).trim();
                    if (!id.isEmpty()) {
                        return id;
                    }
                }
            } catch (IOException ignored) {
                // try the next source
            }
        }
        return null;
    }

    @Override
    public Launch launch(CommandType type, ExecutionContext context, Path script) throws CommandRefusedException {
        List<String> argv = Unix.interpreter(type, script, "linux", EXTRA_DIRS);
        if (context == ExecutionContext.SYSTEM) {
            return new Launch(argv, Map.of(), null);
        }
        ActiveSession session = activeSession().orElseThrow(() -> new CommandRefusedException(
                "No logged-on user: user_session needs an active local or graphical session on this machine, and none was found (logind and utmp checked)."));
        return Unix.asUser(argv, session.user(), sessionEnvironment(session));
    }

    @Override
    public ShellLaunch shell(ExecutionContext context) throws CommandRefusedException {
        ShellLaunch shell;
        if (context == ExecutionContext.SYSTEM) {
            shell = Unix.systemShell();
        } else {
            ActiveSession session = activeSession().orElseThrow(() -> new CommandRefusedException(
                    "No logged-on user: user_session needs an active local or graphical session on this machine, and none was found (logind and utmp checked)."));
            shell = Unix.userShell(session.user(), sessionEnvironment(session));
        }
        // A technician's shell sees the host, as commands do (SPEC section 7).
        HostView host = hostView();
        if (host.enterable() && host.samePathOnHost(shell.workDir()).isPresent()) {
            return new ShellLaunch(host.enter(shell.argv(), shell.workDir()), shell.environment(), shell.workDir(), false);
        }
        return shell;
    }

    @Override
    public Optional<String> sandboxNote() {
        return SandboxProbe.detect();
    }


    /** The user of the active session and its display variables. */
    record ActiveSession(Launch.SessionUser user, Map<String, String> display) {
    }

    private static Map<String, String> sessionEnvironment(ActiveSession session) {
        Map<String, String> env = new HashMap<>();
        Path runtime = Path.of("/run/user/" + session.user().uid());
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        if (Files.exists(runtime.resolve("bus"))) {
            env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + runtime.resolve("bus"));
        }
        env.putAll(session.display());
        return env;
    }

    static Optional<ActiveSession> activeSession() {
        Optional<ActiveSession> fromLogind = fromLogind();
        return fromLogind.isPresent() ? fromLogind : fromUtmp();
    }

    private static Optional<ActiveSession> fromLogind() {
        Optional<String> sessions = HostCommands.output(List.of("loginctl", "list-sessions", "--no-legend"));
        if (sessions.isEmpty()) {
            return Optional.empty();
        }
        String bestName = null;
        Map<String, String> bestDisplay = Map.of();
        int bestScore = -1;
        for (String line : sessions.get().split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length < 1 || cols[0].isEmpty()) {
                continue;
            }
            Map<String, String> props = properties(HostCommands.output(List.of("loginctl", "show-session", cols[0],
                    "-p", "Name", "-p", "Active", "-p", "Class", "-p", "Type", "-p", "Remote", "-p", "Display", "-p", "State")).orElse(""));
            if (!"yes".equals(props.get("Active")) || !"user".equals(props.get("Class")) || "yes".equals(props.get("Remote"))) {
                continue;
            }
            String type = props.getOrDefault("Type", "");
            int score = type.equals("x11") || type.equals("wayland") ? 2 : 1;
            if (score > bestScore) {
                bestScore = score;
                bestName = props.get("Name");
                Map<String, String> display = new HashMap<>();
                if (type.equals("x11")) {
                    display.put("DISPLAY", props.getOrDefault("Display", ":0").isEmpty() ? ":0" : props.getOrDefault("Display", ":0"));
                } else if (type.equals("wayland")) {
                    display.put("WAYLAND_DISPLAY", "wayland-0");
                    display.put("DISPLAY", ":0");
                }
                bestDisplay = display;
            }
        }
        if (bestName == null) {
            return Optional.empty();
        }
        Map<String, String> display = bestDisplay;
        return Unix.lookupUser(bestName).map(user -> new ActiveSession(user, display));
    }

    private static Optional<ActiveSession> fromUtmp() {
        Optional<String> who = HostCommands.output(List.of("who"));
        if (who.isEmpty()) {
            return Optional.empty();
        }
        for (String line : who.get().split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length < 2) {
                continue;
            }
            String tty = cols[1];
            boolean local = !line.contains("(") || line.matches(".*\\(:\\d+(\\.\\d+)?\\).*");
            if (local && (tty.startsWith(":") || tty.startsWith("tty") || tty.startsWith("seat"))) {
                Map<String, String> display = tty.startsWith(":") ? Map.of("DISPLAY", tty) : Map.of();
                return Unix.lookupUser(cols[0]).map(user -> new ActiveSession(user, display));
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> properties(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return out;
    }
}

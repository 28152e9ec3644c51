package com.gururmm.agent.platform;

import com.gururmm.protocol.CommandType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What Linux and macOS share: interpreters, process groups, running as another user. */
final class Unix {
    private Unix() {
    }

    static String extension(CommandType type) {
        return switch (type) {
            case BASH, SH -> ".sh";
            case PYTHON -> ".py";
            case POWERSHELL -> ".ps1";
            case CMD -> ".cmd";
        };
    }

    static List<String> interpreter(CommandType type, Path script, String os, List<String> extraDirs) throws CommandRefusedException {
        String file = script.toString();
        return switch (type) {
            case BASH -> List.of(require("bash", os, extraDirs), file);
            case SH -> List.of(require("sh", os, extraDirs), file);
            case PYTHON -> List.of(require("python3", os, extraDirs), file);
            case POWERSHELL -> List.of(require("pwsh", os, extraDirs), "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", file);
            case CMD -> throw new CommandRefusedException("command_type cmd runs only on Windows; this agent runs " + os + ". Use bash or sh instead.");
        };
    }

    private static String require(String name, String os, List<String> extraDirs) throws CommandRefusedException {
        return Executables.find(name, extraDirs).map(Path::toString).orElseThrow(() -> new CommandRefusedException(
                name + " is not installed on this " + os + " machine (not found on PATH), so this command type cannot run here."));
    }

    static List<String> isolate(List<String> argv) {
        Optional<Path> setsid = Executables.find("setsid", List.of("/usr/bin", "/bin"));
        if (setsid.isEmpty()) {
            return argv;
        }
        List<String> out = new ArrayList<>();
        out.add(setsid.get().toString());
        out.addAll(argv);
        return out;
    }

    static void killGroup(long pid) {
        HostCommands.output(List.of("kill", "-KILL", "--", "-" + pid));
    }

    static Optional<Launch.SessionUser> lookupUser(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._][A-Za-z0-9._@-]*\\$?")) {
            return Optional.empty();
        }
        Optional<String> passwd = HostCommands.output(List.of("getent", "passwd", name))
                .or(() -> HostCommands.output(List.of("id", "-P", name)));
        if (passwd.isEmpty()) {
            return Optional.empty();
        }
        String[] fields = passwd.get().trim().split(":");
        if (fields.length < 6) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Launch.SessionUser(name, Integer.parseInt(fields[2]), Integer.parseInt(fields[3]), Path.of(fields[5])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The login shell passwd names for {@code name}, if it names an executable one. */
    static Optional<String> loginShell(String name) {
        Optional<String> passwd = HostCommands.output(List.of("getent", "passwd", name));
        if (passwd.isEmpty()) {
            return Optional.empty();
        }
        String[] fields = passwd.get().trim().split(":");
        if (fields.length < 7 || fields[6].isBlank() || fields[6].endsWith("/nologin") || fields[6].endsWith("/false")) {
            return Optional.empty();
        }
        return java.nio.file.Files.isExecutable(Path.of(fields[6].trim())) ? Optional.of(fields[6].trim()) : Optional.empty();
    }

    private static String shellOf(String name) {
        return loginShell(name).or(() -> Executables.find("bash", List.of("/bin", "/usr/bin")).map(Path::toString)).orElse("/bin/sh");
    }

    /**
     * The agent's own user's login shell (root's, for an agent installed as a service) with the
     * allow-listed part of the agent's environment (no enrollment token or other secret) and a terminal type.
     */
    static ShellLaunch systemShell() {
        String user = System.getProperty("user.name");
        String shell = shellOf(user);
        Path home = lookupUser(user).map(Launch.SessionUser::home).orElse(Path.of(System.getProperty("user.home")));
        java.util.Map<String, String> env = new java.util.HashMap<>(com.gururmm.agent.exec.ScriptEnvironment.inherit(System.getenv()));
        env.put("TERM", "xterm-256color");
        env.put("HOME", home.toString());
        env.put("USER", user);
        env.put("LOGNAME", user);
        env.put("SHELL", shell);
        env.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.putIfAbsent("LANG", "C.UTF-8");
        return new ShellLaunch(List.of(shell, "-l"), env, java.nio.file.Files.isDirectory(home) ? home : Path.of("/"), false);
    }

    /** {@code user}'s login shell, started as that user the way {@code user_session} commands are ({@link #asUser}). */
    static ShellLaunch userShell(Launch.SessionUser user, Map<String, String> sessionEnv) throws CommandRefusedException {
        java.util.Map<String, String> env = new java.util.HashMap<>(sessionEnv);
        env.put("TERM", "xterm-256color");
        String shell = shellOf(user.name());
        env.put("SHELL", shell);
        Launch launch = asUser(List.of(shell, "-l"), user, env);
        java.util.Map<String, String> outer = new java.util.HashMap<>();
        outer.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        outer.put("TERM", "xterm-256color");
        return new ShellLaunch(launch.argv(), outer, java.nio.file.Files.isDirectory(user.home()) ? user.home() : Path.of("/"), false);
    }

    /**
     * Runs {@code argv} as {@code user} with a clean login-like environment plus the session's
     * variables. Needs root: {@code runuser} (Linux) or {@code sudo} (macOS) refuses otherwise.
     */
    static Launch asUser(List<String> argv, Launch.SessionUser user, Map<String, String> sessionEnv) throws CommandRefusedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new CommandRefusedException("user_session needs the agent to run as root (it runs as "
                    + System.getProperty("user.name") + "), so it cannot start a process as " + user.name() + ".");
        }
        Optional<Path> runuser = Executables.find("runuser", List.of("/usr/sbin", "/sbin"));
        Optional<Path> sudo = Executables.find("sudo", List.of("/usr/bin"));
        List<String> out = new ArrayList<>();
        if (runuser.isPresent()) {
            out.addAll(List.of(runuser.get().toString(), "-u", user.name(), "--"));
        } else if (sudo.isPresent()) {
            out.addAll(List.of(sudo.get().toString(), "-n", "-H", "-u", user.name(), "--"));
        } else {
            throw new CommandRefusedException("neither runuser nor sudo is available, so a command cannot be started as " + user.name() + ".");
        }
        out.add("env");
        out.add("-i");
        out.add("HOME=" + user.home());
        out.add("USER=" + user.name());
        out.add("LOGNAME=" + user.name());
        out.add("PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin");
        out.add("LANG=" + System.getenv().getOrDefault("LANG", "C.UTF-8"));
        sessionEnv.forEach((k, v) -> out.add(k + "=" + v));
        out.addAll(argv);
        return new Launch(out, Map.of(), user);
    }
}

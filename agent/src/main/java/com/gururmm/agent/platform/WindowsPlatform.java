package com.gururmm.agent.platform;

import com.gururmm.agent.platform.windows.UserSessionLauncher;
import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.WinReg;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Windows: MachineGuid from the registry; PowerShell always non-interactive with its script
 * saved as UTF-8 with a BOM (Windows PowerShell 5.1 reads BOM-less files in the ANSI code
 * page and would mangle non-ASCII text); cmd scripts switched to UTF-8 before they run.
 *
 * <p>{@code user_session} runs the same argv as the logged-on user, through
 * {@link UserSessionLauncher} (WTSQueryUserToken + CreateProcessAsUser in a Job Object).
 */
final class WindowsPlatform implements Platform {
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private final Supplier<UserSessionLauncher> userSessions;
    private final Supplier<Map<String, String>> environment;

    WindowsPlatform() {
        this(UserSessionLauncher::windows, System::getenv);
    }

    /** @param userSessions asked only when a user_session command arrives (it loads Win32 libraries) */
    WindowsPlatform(Supplier<UserSessionLauncher> userSessions) {
        this(userSessions, System::getenv);
    }

    /** @param environment the process environment (tests pass a Windows one) */
    WindowsPlatform(Supplier<UserSessionLauncher> userSessions, Supplier<Map<String, String>> environment) {
        this.userSessions = userSessions;
        this.environment = environment;
    }

    @Override
    public com.gururmm.agent.inventory.os.OsInventory osInventory() {
        return com.gururmm.agent.inventory.os.WindowsInventory.real();
    }

    @Override
    public String os() {
        return "windows";
    }

    @Override
    public java.util.Optional<com.gururmm.agent.events.EventLogSource> crashEvents() {
        return java.util.Optional.of(new com.gururmm.agent.events.WevtutilEventLog());
    }

    @Override
    public String machineUid() {
        try {
            return Advapi32Util.registryGetStringValue(WinReg.HKEY_LOCAL_MACHINE, "SOFTWARE\\Microsoft\\Cryptography", "MachineGuid");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return null;
        }
    }

    @Override
    public String scriptExtension(CommandType type) {
        return switch (type) {
            case BASH, SH -> ".sh";
            case PYTHON -> ".py";
            case POWERSHELL -> ".ps1";
            case CMD -> ".cmd";
        };
    }

    @Override
    public byte[] scriptBytes(CommandType type, String script) {
        byte[] body = script.getBytes(StandardCharsets.UTF_8);
        return switch (type) {
            case POWERSHELL -> concat(UTF8_BOM, body);
            case CMD -> concat("@chcp 65001 >nul\r\n".getBytes(StandardCharsets.US_ASCII), body);
            default -> body;
        };
    }

    @Override
    public Launch launch(CommandType type, ExecutionContext context, Path script) throws CommandRefusedException {
        String file = script.toString();
        String systemRoot = System.getenv().getOrDefault("SystemRoot", "C:\\Windows");
        List<String> argv = switch (type) {
            case POWERSHELL -> List.of(systemRoot + "\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                    "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", file);
            case CMD -> List.of(systemRoot + "\\System32\\cmd.exe", "/d", "/c", file);
            case PYTHON -> List.of(find("python"), file);
            case BASH -> List.of(find("bash"), file);
            case SH -> List.of(find("sh"), file);
        };
        if (context == ExecutionContext.USER_SESSION) {
            return userSessions.get().launch(argv, script);
        }
        return new Launch(argv, Map.of(), null);
    }

    /**
     * Windows PowerShell on a pseudo console (ConPTY, Windows 10 1809+), as LocalSystem. A
     * {@code user_session} shell would need the pseudo console attached to a process created with
     * the user's token (CreateProcessAsUser + PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE), which is not
     * built: it is refused in a sentence rather than silently opened as SYSTEM.
     */
    @Override
    public ShellLaunch shell(ExecutionContext context) throws CommandRefusedException {
        if (context == ExecutionContext.USER_SESSION) {
            throw new CommandRefusedException("user_session shells are not supported on Windows yet (they need ConPTY with CreateProcessAsUser);"
                    + " open a system shell, or run user_session commands instead.");
        }
        Map<String, String> env = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        env.putAll(com.gururmm.agent.exec.ScriptEnvironment.inherit(environment.get()));
        String systemRoot = env.getOrDefault("SystemRoot", "C:\\Windows");
        env.put("TERM", "xterm-256color");
        Path workDir = Path.of(env.getOrDefault("SystemDrive", "C:") + "\\");
        return new ShellLaunch(List.of(systemRoot + "\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "-NoLogo"),
                env, workDir, true);
    }

    private static String find(String name) throws CommandRefusedException {
        return Executables.find(name, List.of()).map(Path::toString).orElseThrow(() -> new CommandRefusedException(
                name + " is not installed on this Windows machine (not found on PATH), so this command type cannot run here."));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

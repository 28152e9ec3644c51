package com.gururmm.agent.platform;

import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.WinReg;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Windows: MachineGuid from the registry; PowerShell always non-interactive with its script
 * saved as UTF-8 with a BOM (Windows PowerShell 5.1 reads BOM-less files in the ANSI code
 * page and would mangle non-ASCII text); cmd scripts switched to UTF-8 before they run.
 *
 * <p>{@code user_session} on Windows (WTSQueryUserToken + CreateProcessAsUser) is not built
 * yet: such commands fail with a message saying so rather than running in the wrong session.
 */
final class WindowsPlatform implements Platform {
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @Override
    public String os() {
        return "windows";
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
        if (context == ExecutionContext.USER_SESSION) {
            throw new CommandRefusedException("user_session is not supported by this agent version on Windows yet; run the command in the system context.");
        }
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
        return new Launch(argv, Map.of(), null);
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

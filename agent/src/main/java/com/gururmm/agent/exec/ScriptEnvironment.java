package com.gururmm.agent.exec;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which of the agent's own environment variables a command inherits: an allow-list.
 *
 * <p>The agent runs as root / LocalSystem and is started by something (systemd, an installer,
 * the server host's supervisor, an admin's shell) whose environment may hold secrets that are
 * none of a script's business: its enrollment token, {@code PGPASSWORD}, cloud keys. A script
 * that prints its environment would put them into a result every viewer can read, so instead of
 * guessing which names are secret, only the variables a script legitimately expects from its
 * machine pass: where programs are ({@code PATH}, {@code PATHEXT}), who and where it is
 * ({@code HOME}, {@code USER}, {@code USERPROFILE}, the Windows folders), locale and time zone,
 * temp dirs, the terminal type, the machine's proxy and CA settings (so downloads work where the
 * agent's do), and on Windows what {@code cmd}, PowerShell and installers need to run at all.
 * Names compare case-insensitively, as Windows does ({@code Path} is {@code PATH}).
 */
public final class ScriptEnvironment {
    private static final Set<String> NAMES = names(
            // POSIX basics
            "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TERM",
            "TMPDIR", "TEMP", "TMP", "HOSTNAME",
            // the machine's proxy and CA trust: scripts that download must behave like the host
            "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "FTP_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
            // Windows: what the shell, PowerShell and installers expect of a process
            "SystemRoot", "windir", "SystemDrive", "ComSpec", "PATHEXT", "OS", "PSModulePath", "DriverData",
            "ProgramFiles", "ProgramFiles(x86)", "ProgramW6432", "CommonProgramFiles", "CommonProgramFiles(x86)",
            "CommonProgramW6432", "ProgramData", "ALLUSERSPROFILE", "PUBLIC", "APPDATA", "LOCALAPPDATA",
            "USERPROFILE", "USERNAME", "USERDOMAIN", "COMPUTERNAME", "HOMEDRIVE", "HOMEPATH", "NUMBER_OF_PROCESSORS");
    /** Families: locale categories ({@code LC_ALL}, {@code LC_CTYPE}...) and {@code PROCESSOR_ARCHITECTURE} and the like. */
    private static final Set<String> PREFIXES = Set.of("LC_", "PROCESSOR_");

    private ScriptEnvironment() {
    }

    /** The subset of {@code inherited} a command may see. */
    public static Map<String, String> inherit(Map<String, String> inherited) {
        Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        inherited.forEach((name, value) -> {
            if (allowed(name)) {
                out.put(name, value);
            }
        });
        return out;
    }

    static boolean allowed(String name) {
        if (NAMES.contains(name)) {
            return true;
        }
        String upper = name.toUpperCase(Locale.ROOT);
        return PREFIXES.stream().anyMatch(upper::startsWith);
    }

    private static Set<String> names(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Set.of(names));
        return set;
    }
}

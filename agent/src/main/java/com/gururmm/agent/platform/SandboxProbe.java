package com.gururmm.agent.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tells whether this agent runs inside a restricted mount namespace, such as the one systemd
 * builds for {@code ProtectSystem=strict} (SPEC section 7). There, {@code /} looks read-only to
 * the agent and to every command it runs, although the host's disks are writable; an operator
 * who sees "Read-only file system" in a result must not go hunting for a failing disk.
 *
 * <p>How: the paths an admin script usually writes are probed with {@code access(W_OK)} (as root
 * that fails only on a read-only mount). If some are read-only while the root filesystem's
 * superblock is mounted read-write ({@code /proc/self/mountinfo}), the read-only view comes
 * from per-mount flags, i.e. a sandbox, not from the filesystem. A genuinely read-only root
 * (superblock {@code ro}) produces no note: then the host really is read-only.
 */
public final class SandboxProbe {
    private static final List<String> PROBED = List.of("/", "/etc", "/usr", "/var", "/opt", "/boot", "/root", "/home");

    private SandboxProbe() {
    }

    /** The note to attach to results, if the agent runs sandboxed; only meaningful on Linux as root. */
    public static Optional<String> detect() {
        if (!"root".equals(System.getProperty("user.name")) || !Files.isReadable(Path.of("/proc/self/mountinfo"))) {
            return Optional.empty();
        }
        List<String> readOnly = new ArrayList<>();
        for (String path : PROBED) {
            Path p = Path.of(path);
            if (Files.isDirectory(p) && !Files.isWritable(p)) {
                readOnly.add(path);
            }
        }
        try {
            String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
            String cgroup = Files.isReadable(Path.of("/proc/self/cgroup")) ? Files.readString(Path.of("/proc/self/cgroup")) : "";
            return describe(readOnly, mountinfo, serviceUnit(cgroup));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<String> describe(List<String> readOnlyHere, String mountinfo, String unit) {
        if (readOnlyHere.isEmpty() || !rootSuperblockWritable(mountinfo)) {
            return Optional.empty();
        }
        String where = unit == null ? "a restricted mount namespace" : "the sandbox of systemd unit " + unit
                + " (ProtectSystem= and similar settings)";
        return Optional.of("This agent runs in " + where + ": " + String.join(", ", readOnlyHere)
                + " are read-only for it and for the commands it runs, while the host's root filesystem is mounted read-write."
                + " 'Read-only file system' errors come from this sandbox, not from the host's disks.");
    }

    /** True if a mount of {@code /} has a read-write superblock (field after " - ": fstype, source, super options). */
    static boolean rootSuperblockWritable(String mountinfo) {
        for (String line : mountinfo.split("\n")) {
            String[] halves = line.split(" - ", 2);
            if (halves.length != 2) {
                continue;
            }
            String[] fields = halves[0].split(" ");
            String[] superFields = halves[1].split(" ");
            if (fields.length >= 5 && fields[4].equals("/") && superFields.length >= 3
                    && List.of(superFields[2].split(",")).contains("rw")) {
                return true;
            }
        }
        return false;
    }

    /** The systemd service this process runs in, from {@code /proc/self/cgroup}, if any. */
    static String serviceUnit(String cgroup) {
        for (String line : cgroup.split("\n")) {
            for (String part : line.substring(line.lastIndexOf(':') + 1).split("/")) {
                if (part.endsWith(".service")) {
                    return part;
                }
            }
        }
        return null;
    }
}

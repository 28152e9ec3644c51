package com.gururmm.agent.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's view of the file system for the commands of a sandboxed agent (SPEC section 7).
 *
 * <p>Under the shipped systemd unit the agent runs with {@code ProtectSystem=strict} and
 * {@code PrivateTmp=yes}: systemd gives the service its own mount namespace where {@code /} is
 * read-only. The agent stays there, but a command that runs {@code apt} or edits {@code /etc}
 * must see the host. So the command's process enters the mount namespace of the agent's nearest
 * ancestor outside its sandbox (whoever built the sandbox started the agent from outside it:
 * systemd, PID 1, for the installed service) through util-linux {@code nsenter --mount}: it
 * changes only the mount namespace, stays the agent's child (same pid, same process group, so a
 * timeout or cancel still kills the whole tree) and costs one {@code execve}. Nothing is done
 * when every ancestor shares the agent's mount namespace (not sandboxed) or it cannot enter it
 * (not root, no {@code nsenter}, a seccomp filter on {@code setns}); the command then runs in
 * the agent's own view and its result says so.
 *
 * <p>Paths: the host sees the agent's state directory at the same path (systemd's
 * {@code StateDirectory=} is a bind mount of the real directory), but not the agent's private
 * {@code /tmp}. Files a command needs outside the state directory are therefore placed through
 * {@code /proc/PID/root}, which resolves paths in that process's mount namespace ({@link #hostTemp}).
 * Before each use the namespace is checked to be still the one found at start (a pid reused by
 * another process after the ancestor died must never decide where a command runs).
 */
public final class HostView {
    private static final Logger log = LoggerFactory.getLogger(HostView.class);
    /** Not sandboxed, or not Linux: commands already see what the agent sees. */
    public static final HostView SAME = new HostView(false, null, null, null, null);

    private final boolean separate;
    private final Path nsenter;
    private final String unavailableReason;
    /** {@code /proc/PID} of the ancestor whose mount namespace is the host's view, and that namespace's id. */
    private final Path hostProc;
    private final String hostNamespace;

    private HostView(boolean separate, Path nsenter, String unavailableReason, Path hostProc, String hostNamespace) {
        this.separate = separate;
        this.nsenter = nsenter;
        this.unavailableReason = unavailableReason;
        this.hostProc = hostProc;
        this.hostNamespace = hostNamespace;
    }

    /** Looks once, at start: is the agent in a mount namespace of its own, and can its commands leave it? */
    static HostView detect() {
        Optional<String> own = namespace(Path.of("/proc/self/ns/mnt"));
        if (own.isEmpty()) {
            return SAME;
        }
        Optional<ProcessHandle> ancestor = ProcessHandle.current().parent();
        while (ancestor.isPresent()) {
            Path proc = Path.of("/proc", Long.toString(ancestor.get().pid()));
            Optional<String> theirs = namespace(proc.resolve("ns/mnt"));
            // An ancestor whose namespace cannot be read (another user's, or a locked-down init) is skipped.
            if (theirs.isPresent() && !theirs.get().equals(own.get())) {
                return outside(proc, theirs.get());
            }
            ancestor = ancestor.get().parent();
        }
        return SAME;
    }

    private static HostView outside(Path proc, String namespace) {
        Optional<Path> tool = Executables.find("nsenter", List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        if (tool.isEmpty()) {
            return unavailable("nsenter (util-linux) is not installed, so commands cannot leave the agent's mount namespace");
        }
        String probe = probe(tool.get(), proc.resolve("ns/mnt"));
        if (probe != null) {
            return unavailable("entering the host's mount namespace failed (" + probe + ")");
        }
        log.info("the agent runs in a mount namespace of its own; commands run in the host's view (that of {}, nsenter --mount) unless they ask for the sandbox",
                proc);
        return new HostView(true, tool.get(), null, proc, namespace);
    }

    private static HostView unavailable(String reason) {
        log.warn("commands will see the agent's sandbox, not the host: {}", reason);
        return new HostView(true, null, reason, null, null);
    }

    /** The mount namespace of process {@code pid} ({@code mnt:[id]}), if this process may read it. */
    public static Optional<String> mountNamespace(long pid) {
        return namespace(Path.of("/proc", Long.toString(pid), "ns/mnt"));
    }

    private static Optional<String> namespace(Path link) {
        try {
            return Optional.of(Files.readSymbolicLink(link).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** Null if {@code nsenter} can enter PID 1's mount namespace, else what went wrong. */
    private static String probe(Path nsenter, Path namespace) {
        try {
            Process p = new ProcessBuilder(nsenter.toString(), "--mount=" + namespace, "--", "true")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "nsenter did not finish within 10 s";
            }
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + (out.isEmpty() ? "" : ": " + out);
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** True if the agent's own view differs from the host's (it runs sandboxed). */
    public boolean sandboxed() {
        return separate;
    }

    /**
     * True if commands can be run in the host's view now: the agent is sandboxed, can leave it,
     * and the process it found at start still has the host's namespace.
     */
    public boolean enterable() {
        return nsenter != null && namespace(hostProc.resolve("ns/mnt")).map(hostNamespace::equals).orElse(false);
    }

    /** Why commands cannot leave the sandbox, when {@link #sandboxed()} but not {@link #enterable()}. */
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailableReason);
    }

    /**
     * {@code argv} run in the host's mount namespace, starting in {@code hostWorkDir} (a path as
     * the host sees it: entering a mount namespace resets the working directory to its root).
     */
    public List<String> enter(List<String> argv, Path hostWorkDir) {
        if (nsenter == null) {
            throw new IllegalStateException("the host's view is not enterable");
        }
        List<String> out = new ArrayList<>(argv.size() + 4);
        out.add(nsenter.toString());
        out.add("--mount=" + hostProc.resolve("ns/mnt"));
        out.add("--wd=" + hostWorkDir);
        out.add("--");
        out.addAll(argv);
        return out;
    }

    /**
     * A new private directory in the host's {@code /tmp} (0700, as {@link Files#createTempDirectory}
     * makes it): where a command entering the host's view finds a file the agent wrote for it.
     */
    public HostDirectory hostTemp(String prefix) throws IOException {
        Path agentSide = Files.createTempDirectory(hostProc.resolve("root/tmp"), prefix);
        return new HostDirectory(agentSide, Path.of("/tmp").resolve(agentSide.getFileName().toString()));
    }

    /**
     * The path the host sees for {@code agentPath}, if it is the same file there (true for the
     * state directory under systemd's {@code StateDirectory=}); empty when the host sees
     * something else at that path (a private mount of the sandbox).
     */
    public Optional<Path> samePathOnHost(Path agentPath) {
        Path absolute = agentPath.toAbsolutePath();
        if (hostProc == null) {
            return Optional.of(absolute);
        }
        Path onHost = Path.of(hostProc.resolve("root") + absolute.toString());
        try {
            return Files.exists(onHost) && Files.isSameFile(absolute, onHost) ? Optional.of(absolute) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** One directory, by the agent's path to it ({@code agentPath}) and the host's ({@code hostPath}). */
    public record HostDirectory(Path agentPath, Path hostPath) {
    }
}

package com.gururmm.agent.update;

import com.gururmm.agent.AgentConfig;
import com.gururmm.agent.state.EnrollmentToken;
import com.gururmm.agent.state.StateDir;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar gururmm-agent.jar launcher}: the small watchdog that makes self-update safe,
 * with or without a service manager.
 *
 * <p>It keeps builds under {@code <state dir>/versions/} (see {@link UpdateFiles}) and runs the
 * one named by {@code versions/current} as a child process, restarting it with a capped back-off
 * when it exits. The running agent performs an update by installing the new build, writing
 * {@code update/pending.json}, switching the pointer and exiting with {@link #EXIT_SWITCH}.
 *
 * <p>Algorithm for a pending switch: start the new version and wait for {@code update/healthy},
 * which the new version writes only after the server has welcomed it. If the child exits first,
 * or the deadline passes, the launcher kills it, points {@code current} back at the previous
 * version, records the reason in {@code update/result.json} (the old agent reports it once it is
 * connected again) and marks the version bad so it is never tried here again. Because every
 * step is an atomic file replacement, a launcher killed at any point restarts into a consistent
 * state: a pending switch is simply watched again with a fresh deadline.
 *
 * <p>Under systemd the unit runs this launcher ({@code Restart=always}); without one (tests, a
 * shell) it is the process the user started. The agent child exits when the launcher is gone
 * (it watches {@code GURURMM_LAUNCHER_PID}), so two agents never run on one state dir.
 */
public final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);
    /** The agent asks to be restarted into the version {@code versions/current} now names. */
    public static final int EXIT_SWITCH = 75;
    public static final String PID_ENV = "GURURMM_LAUNCHER_PID";
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final StateDir state;
    private final UpdateFiles files;
    private final Map<String, String> env;
    private volatile boolean stopping;
    private volatile Process child;

    public Launcher(Path stateDir, Map<String, String> env) {
        this.state = new StateDir(stateDir);
        this.files = new UpdateFiles(state);
        this.env = env;
    }

    /** Runs until stopped; returns the process exit code. */
    public int run() throws InterruptedException {
        state.prepare();
        FileLock lock = lockOrNull();
        if (lock == null) {
            log.error("another GuruRMM launcher is already running with state directory {}; exiting", state.root());
            return 3;
        }
        try {
            files.prepare();
            installSelfIfNeeded();
        } catch (IOException | IllegalStateException e) {
            log.error("launcher cannot prepare {}: {}", state.root(), e.getMessage());
            return 2;
        }
        pruneOldVersions();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopChild, "launcher-shutdown"));
        Duration backoff = Duration.ofSeconds(1);
        while (!stopping) {
            String version = files.current().orElseThrow();
            settleStalePending(version);
            long startedAt = System.nanoTime();
            Process process;
            try {
                process = start(version);
            } catch (IOException e) {
                log.error("cannot start agent {}: {}", version, e.getMessage());
                Thread.sleep(backoff.toMillis());
                backoff = next(backoff);
                continue;
            }
            UpdateFiles.Pending pending = files.pending().filter(p -> p.to().equals(version)).orElse(null);
            if (pending != null && !watchNewVersion(process, pending)) {
                continue; // rolled back: start the previous version at once
            }
            int exit = process.waitFor();
            if (stopping) {
                break;
            }
            if (exit == EXIT_SWITCH) {
                log.info("agent {} asked to switch to {}", version, files.current().orElse("?"));
                backoff = Duration.ofSeconds(1);
                continue;
            }
            if (System.nanoTime() - startedAt > TimeUnit.MINUTES.toNanos(1)) {
                backoff = Duration.ofSeconds(1);
            }
            log.warn("agent {} exited with code {}; restarting in {} s", version, exit, backoff.toSeconds());
            Thread.sleep(backoff.toMillis());
            backoff = next(backoff);
        }
        return 0;
    }

    /**
     * Waits until the new version reports healthy (true), or rolls back when it exits first or
     * misses the deadline (false).
     */
    private boolean watchNewVersion(Process process, UpdateFiles.Pending pending) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(pending.deadlineSeconds());
        log.info("watching agent {} (update from {}): it must reach the server within {} s", pending.to(), pending.from(), pending.deadlineSeconds());
        while (!stopping) {
            if (files.healthy().filter(pending.to()::equals).isPresent()) {
                try {
                    files.clearPending();
                    files.clearHealthy();
                } catch (IOException e) {
                    log.warn("cannot clear the pending update marker: {}", e.getMessage());
                }
                log.info("agent {} is healthy; update from {} complete", pending.to(), pending.from());
                pruneOldVersions();
                return true;
            }
            if (!process.isAlive()) {
                rollBack(pending, "gururmm-agent " + pending.to() + " exited with code " + process.exitValue()
                        + " before it reached the server; " + pending.from() + " was restored");
                return false;
            }
            if (System.nanoTime() > deadline) {
                terminate(process);
                rollBack(pending, "gururmm-agent " + pending.to() + " did not reconnect to the server within "
                        + pending.deadlineSeconds() + " s; " + pending.from() + " was restored");
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }

    /** Housekeeping only: a failure is logged and retried at the next start or update. */
    private void pruneOldVersions() {
        files.current().ifPresent(current -> {
            try {
                List<String> deleted = VersionPruner.prune(files.versions(), current, files.badVersions());
                if (!deleted.isEmpty()) {
                    log.info("removed old agent versions {} (keeping {} and the one before it)", deleted, current);
                }
            } catch (IOException e) {
                log.warn("cannot remove old agent versions: {}", e.getMessage());
            }
        });
    }

    private void rollBack(UpdateFiles.Pending pending, String reason) {
        log.error("UPDATE ROLLED BACK: {}", reason);
        try {
            files.setCurrent(pending.from());
            files.writeOutcome(new UpdateFiles.Outcome("rolled_back", pending.from(), pending.to(), pending.file(), reason, Instant.now()));
            files.addBadVersion(pending.to());
            files.clearPending();
            files.clearHealthy();
        } catch (IOException e) {
            // The pointer write is the one that matters; if even that failed the disk is gone.
            log.error("could not record the rollback completely: {}", e.getMessage());
        }
    }

    /** A pending switch whose pointer never moved (crash between the two writes) did not happen. */
    private void settleStalePending(String current) {
        files.pending().filter(p -> !p.to().equals(current)).ifPresent(p -> {
            try {
                files.writeOutcome(new UpdateFiles.Outcome("failed", p.from(), p.to(), p.file(),
                        "the switch to " + p.to() + " was interrupted before it took effect; still running " + current, Instant.now()));
                files.clearPending();
            } catch (IOException e) {
                log.warn("cannot clear a stale pending update: {}", e.getMessage());
            }
        });
    }

    /**
     * The agent child's JVM options: {@code GURURMM_AGENT_JAVA_OPTS}, and C1 only (plenty for an
     * agent, and quicker to warm) unless those name a compiler setting of their own.
     */
    static List<String> childOptions(Map<String, String> env) {
        List<String> options = new ArrayList<>();
        String opts = env.getOrDefault("GURURMM_AGENT_JAVA_OPTS", "");
        for (String opt : opts.trim().split("\\s+")) {
            if (!opt.isEmpty()) {
                options.add(opt);
            }
        }
        if (!opts.contains("TieredStopAtLevel") && !opts.contains("Xshare:off") && !opts.contains("SharedArchiveFile")) {
            options.add("-XX:TieredStopAtLevel=1");
        }
        return options;
    }

    private Process start(String version) throws IOException {
        Path jar = files.jarOf(version);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        command.add(java);
        String opts = env.getOrDefault("GURURMM_AGENT_JAVA_OPTS", "");
        List<String> options = childOptions(env);
        command.addAll(options);
        if (!opts.contains("SharedArchiveFile") && !opts.contains("Xshare:off") && !opts.contains("AOTCache")) {
            // Start-up time: an ahead-of-time cache made by a training run before this version
            // first starts (JDK 25+, AotCache); else a class-data archive kept beside each version
            // (created on its first start, JDK 19+), which roughly halves later JVM starts.
            if (AotCache.prepare(java, options, jar)) {
                command.add("-XX:AOTCache=" + AotCache.cacheOf(jar));
            } else {
                command.add("-XX:+AutoCreateSharedArchive");
                command.add("-XX:SharedArchiveFile=" + jar.resolveSibling("agent.jsa"));
            }
        }
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put(PID_ENV, Long.toString(ProcessHandle.current().pid()));
        handOverEnrollmentToken(builder.environment());
        Process process = builder.start();
        child = process;
        log.info("launcher started agent {} (pid {})", version, process.pid());
        return process;
    }

    /**
     * The agent child never gets the enrollment token in its environment, where it would stay
     * readable for the child's whole life: a token this launcher was given as a variable goes to
     * the state dir's 0600 token file instead, which the child deletes once it has enrolled. An
     * enrolled agent needs none, so then nothing is written.
     */
    private void handOverEnrollmentToken(Map<String, String> childEnv) throws IOException {
        childEnv.remove(EnrollmentToken.VARIABLE);
        String token = env.get(EnrollmentToken.VARIABLE);
        if (token != null && !token.isBlank() && com.gururmm.agent.state.Credentials.load(state).isEmpty()) {
            EnrollmentToken.handOver(state, token);
        }
    }

    /**
     * First start: copy the jar this launcher runs from into {@code versions/<its version>/}.
     * Also repairs a pointer to a version whose jar is missing.
     */
    private void installSelfIfNeeded() throws IOException {
        if (files.current().filter(v -> Files.isRegularFile(files.jarOf(v))).isPresent()) {
            return;
        }
        Path self;
        try {
            self = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot locate the agent jar: " + e.getMessage());
        }
        if (!Files.isRegularFile(self)) {
            throw new IllegalStateException("the launcher must run from the agent jar (java -jar gururmm-agent.jar launcher), not from " + self);
        }
        String version = AgentConfig.buildVersion();
        Installer.install(self, files.versions().resolve(version));
        files.setCurrent(version);
        log.info("launcher installed agent {} from {}", version, self);
    }

    private FileLock lockOrNull() {
        try {
            FileChannel channel = FileChannel.open(state.resolve("launcher.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
            }
            return lock;
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    /** Stops the agent and makes {@link #run} return (the Windows service's STOP, WindowsService). */
    public void stop() {
        stopChild();
    }

    private void stopChild() {
        stopping = true;
        Process process = child;
        if (process != null && process.isAlive()) {
            terminate(process);
        }
    }

    private static void terminate(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static Duration next(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }

    /** Copies a build into its version dir: temp dir, fsync, rename, so a half-copied build never has the final name. */
    static final class Installer {
        private Installer() {
        }

        static void install(Path jar, Path versionDir) throws IOException {
            Path tmpDir = versionDir.resolveSibling("." + versionDir.getFileName() + ".installing");
            deleteTree(tmpDir);
            Files.createDirectories(tmpDir);
            Path target = tmpDir.resolve(UpdateFiles.JAR);
            Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            deleteTree(versionDir);
            Files.move(tmpDir, versionDir, StandardCopyOption.ATOMIC_MOVE);
        }

        static void deleteTree(Path dir) throws IOException {
            if (!Files.exists(dir)) {
                return;
            }
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}

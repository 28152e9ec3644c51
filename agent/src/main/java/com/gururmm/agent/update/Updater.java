package com.gururmm.agent.update;

import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.release.ReleaseName;
import com.gururmm.protocol.release.ReleaseSignature;
import com.gururmm.protocol.release.Version;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.AgentMessage.UpdateStatus;
import com.gururmm.protocol.wire.ServerMessage.UpdateOffer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent's half of self-update (the {@link Launcher} is the other half).
 *
 * <p>On an offer, on its own thread, one at a time: verify the offer's signature
 * ({@link BuildVerifier}), download into {@code update/staging}, verify size and SHA-256, check
 * the new build starts ({@code java -jar <build> --version} must print the offered version),
 * install it under {@code versions/}, write {@code update/pending.json}, switch
 * {@code versions/current}, wait until no command is running, and exit with
 * {@link Launcher#EXIT_SWITCH}. Every step is reported to the server as an {@code update_status}.
 *
 * <p>After a restart, once the server has welcomed it ({@link #onConnected()}): a version that is
 * the target of a pending switch writes {@code update/healthy} (the launcher's signal that the
 * update worked) and reports {@code succeeded}; an outcome the launcher recorded (a rollback) is
 * reported and then removed.
 *
 * <p>Commands are never run twice across the restart: the command journal in the state dir
 * already guarantees that for any restart, and this class only adds a wait for running commands
 * to finish before it exits, so no result is lost either.
 */
public final class Updater {
    private static final Logger log = LoggerFactory.getLogger(Updater.class);
    private static final long MAX_BUILD_BYTES = 512L * 1024 * 1024;

    /** How the updater talks to the rest of the agent. */
    public interface Host {
        boolean send(AgentMessage message);

        UUID agentId();

        String agentToken();

        /** Commands running now; the switch waits for zero. */
        int runningCommands();

        /** From now on, commands that arrive are left for the next version (not claimed, so the server resends them). */
        void stopAcceptingCommands();

        /** Stops the agent so the launcher restarts it into the new version. Does not return. */
        void exitForSwitch();
    }

    private final StateDir state;
    private final UpdateFiles files;
    private final HttpClient http;
    private final URI serverUrl;
    private final String runningVersion;
    private final String os;
    private final String arch;
    private final Map<String, String> env;
    private final Host host;
    private final AtomicBoolean busy = new AtomicBoolean();

    public Updater(StateDir state, HttpClient http, URI serverUrl, String runningVersion, String os, String arch,
                   Map<String, String> env, Host host) {
        this.state = state;
        this.files = new UpdateFiles(state);
        this.http = http;
        this.serverUrl = serverUrl;
        this.runningVersion = runningVersion;
        this.os = os;
        this.arch = arch;
        this.env = env;
        this.host = host;
    }

    /** The agent has been welcomed by the server: confirm a switch to this version, report a rollback. */
    /** This version is not an update still being watched by the launcher (none, or marked healthy): no rollback can come. */
    public boolean settled() {
        return files.pending().filter(p -> p.to().equals(runningVersion)).isEmpty()
                || files.healthy().filter(runningVersion::equals).isPresent();
    }

    public void onConnected() {
        files.outcome().ifPresent(outcome -> {
            if (host.send(new UpdateStatus(outcome.state(), runningVersion, outcome.to(), outcome.file(), outcome.reason(), outcome.at()))) {
                try {
                    files.clearOutcome();
                } catch (IOException e) {
                    log.warn("cannot clear the reported update outcome: {}", e.getMessage());
                }
            }
        });
        files.pending().filter(p -> p.to().equals(runningVersion)).ifPresent(pending -> {
            try {
                files.markHealthy(runningVersion);
            } catch (IOException e) {
                log.error("cannot tell the launcher this version is healthy ({}); it will roll back", e.getMessage());
                return;
            }
            log.info("update from {} to {} succeeded: connected to the server", pending.from(), runningVersion);
            host.send(new UpdateStatus("succeeded", runningVersion, runningVersion, pending.file(), null, Instant.now()));
        });
    }

    /** Handles an offer on a thread of its own; a second offer while one is in progress is ignored. */
    public void onOffer(UpdateOffer offer) {
        if (!busy.compareAndSet(false, true)) {
            log.debug("ignoring offer of {}: an update is already in progress", offer.file());
            return;
        }
        Thread.ofVirtual().name("agent-update").start(() -> {
            try {
                apply(offer);
            } catch (UpdateRefused e) {
                log.error("update to {} refused: {}", offer.file(), e.getMessage());
                report("failed", offer, e.getMessage());
            } catch (IOException | RuntimeException e) {
                log.error("update to {} failed", offer.file(), e);
                report("failed", offer, "the update to " + offer.version() + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                busy.set(false);
            }
        });
    }

    private void apply(UpdateOffer offer) throws UpdateRefused, IOException, InterruptedException {
        if (env.get(Launcher.PID_ENV) == null) {
            log.warn("offered {}, but this agent was not started by the launcher (java -jar gururmm-agent.jar launcher), so it cannot switch versions", offer.file());
            report("unsupported", offer, "this agent was not started with 'java -jar gururmm-agent.jar launcher', so it cannot update itself; reinstall it with the launcher");
            return;
        }
        if (files.badVersions().contains(offer.version())) {
            log.info("not retrying {}: it already failed on this machine", offer.file());
            return;
        }
        PublicKey trusted = trustedKey();
        BuildVerifier verifier = new BuildVerifier(trusted, os, arch, Version.parseLenient(runningVersion));
        ReleaseName name = verifier.checkOffer(offer);
        log.info("updating from {} to {} ({})", runningVersion, offer.version(), offer.file());
        report("downloading", offer, null);
        files.prepare();
        Path part = files.staging().resolve(offer.file() + ".part");
        new BuildDownloader(http, serverUrl).download(offer.downloadPath(), part, offer.size() > 0 ? offer.size() : MAX_BUILD_BYTES,
                host.agentId(), host.agentToken());
        try {
            verifier.checkDownload(offer, part);
            preflight(part, offer.version());
            Launcher.Installer.install(part, files.versions().resolve(name.version().toString()));
        } finally {
            Files.deleteIfExists(part);
        }
        // The new version's start-up cache is made now, while this one still serves (best effort; AotCache).
        AotCache.prepare(ProcessHandle.current().info().command().orElse("java"), Launcher.childOptions(env),
                files.jarOf(offer.version()));
        int deadline = deadlineSeconds();
        files.writePending(new UpdateFiles.Pending(runningVersion, offer.version(), offer.file(), deadline, Instant.now()));
        files.clearHealthy();
        files.setCurrent(offer.version()); // the switch: from here the launcher starts the new version
        report("restarting", offer, null);
        host.stopAcceptingCommands(); // a command arriving now would be killed by the restart
        while (host.runningCommands() > 0) {
            Thread.sleep(500); // let running commands finish so their results are sent, not left to the journal
        }
        log.info("restarting into {} (the launcher restores {} if it does not reach the server within {} s)", offer.version(), runningVersion, deadline);
        host.exitForSwitch();
    }

    /** The new build must at least start and know its version, or the switch is not even tried. */
    private void preflight(Path jar, String expectedVersion) throws UpdateRefused, IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(List.of(java, "-Xmx64m", "-jar", jar.toString(), "--version"))
                .redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new UpdateRefused("the new build " + expectedVersion + " did not answer --version within 60 s; refusing it");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String lastLine = output.lines().reduce((a, b) -> b).orElse("");
        if (process.exitValue() != 0 || !lastLine.trim().equals(expectedVersion)) {
            throw new UpdateRefused("the new build does not start: 'java -jar <build> --version' exited with " + process.exitValue()
                    + " and printed '" + (lastLine.length() > 200 ? lastLine.substring(0, 200) : lastLine) + "', expected " + expectedVersion);
        }
    }

    private PublicKey trustedKey() throws UpdateRefused {
        Optional<String> configured = Optional.ofNullable(env.get("GURURMM_RELEASE_PUBLIC_KEY")).filter(s -> !s.isBlank())
                .or(() -> state.read(state.resolve("release-signing.pub")).filter(Predicate.not(String::isBlank)));
        if (configured.isEmpty()) {
            throw new UpdateRefused("no release public key is installed (GURURMM_RELEASE_PUBLIC_KEY or " + state.resolve("release-signing.pub")
                    + "), so no build can be verified; reinstall the agent with the server's key (GET /api/releases/signing-key)");
        }
        try {
            return ReleaseSignature.publicKey(configured.get());
        } catch (IllegalArgumentException e) {
            throw new UpdateRefused("the installed release public key is unusable (" + e.getMessage() + "); reinstall it from GET /api/releases/signing-key");
        }
    }

    private int deadlineSeconds() {
        String raw = env.getOrDefault("GURURMM_UPDATE_DEADLINE_SECONDS", "120");
        try {
            return Math.max(5, Math.min(3600, Integer.parseInt(raw.trim())));
        } catch (NumberFormatException e) {
            return 120;
        }
    }

    private void report(String stateName, UpdateOffer offer, String reason) {
        host.send(new UpdateStatus(stateName, runningVersion, offer.version(), offer.file(), reason, Instant.now()));
    }

    /** Exits this agent when the launcher that started it is gone, so an orphan never competes with a new launcher. */
    public static void watchLauncher(Map<String, String> env, Runnable exit) {
        String pid = env.get(Launcher.PID_ENV);
        if (pid == null) {
            return;
        }
        Thread.ofPlatform().daemon().name("launcher-watch").start(() -> {
            try {
                Optional<ProcessHandle> launcher = ProcessHandle.of(Long.parseLong(pid.trim()));
                while (launcher.isPresent() && launcher.get().isAlive()) {
                    Thread.sleep(1000);
                }
                log.warn("the launcher (pid {}) is gone; stopping this agent", pid);
                exit.run();
            } catch (InterruptedException | NumberFormatException e) {
                // not supervised after all
            }
        });
    }
}

package com.gururmm.agent;

import com.gururmm.agent.checks.CheckRunner;
import com.gururmm.agent.exec.CommandExecutor;
import com.gururmm.agent.exec.ProcessRunner;
import com.gururmm.agent.inventory.InventoryCollector;
import com.gururmm.agent.inventory.InventoryReporter;
import com.gururmm.agent.inventory.SystemInventoryCollector;
import com.gururmm.agent.link.Enroller;
import com.gururmm.agent.link.ServerLink;
import com.gururmm.agent.link.ServerTrust;
import com.gururmm.agent.metrics.MetricsBuffer;
import com.gururmm.agent.metrics.MetricsReporter;
import com.gururmm.agent.metrics.OshiSampler;
import com.gururmm.agent.platform.Platform;
import com.gururmm.agent.state.Credentials;
import com.gururmm.agent.state.EnrollmentToken;
import com.gururmm.agent.state.Identity;
import com.gururmm.agent.state.Journal;
import com.gururmm.agent.state.Outbox;
import com.gururmm.agent.state.StateDir;
import com.gururmm.agent.update.Launcher;
import com.gururmm.agent.update.Updater;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.protocol.wire.Inventory;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent: identity, enrollment, the server link, heartbeats and command execution,
 * wired together. {@link #run()} blocks for the life of the process.
 */
public final class Agent {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    /** Until the server's welcome says otherwise. */
    private static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(30);
    private static final int INVENTORY_EVERY_N_HEARTBEATS = 10;

    private final AgentConfig config;
    private final Platform platform;
    private final StateDir state;
    private final HttpClient http;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("agent-timer").daemon().factory());
    private final Map<UUID, Long> resultSentAt = new ConcurrentHashMap<>();
    private volatile Duration heartbeat = DEFAULT_HEARTBEAT;
    private ServerLink link;
    private Outbox outbox;
    private CommandExecutor executor;
    private CheckRunner checks;
    private InventoryCollector inventory;
    private volatile Inventory lastReported;
    private String deviceId;
    private String machineUid;
    private volatile Credentials credentials;
    private Updater updater;
    private InventoryReporter systemInventory;
    /** Null where the platform has no crash-event source (everything but Windows). */
    private com.gururmm.agent.events.CrashReporter crashes;
    private com.gururmm.agent.tunnel.TunnelManager tunnels;
    private MetricsReporter metrics;
    private com.gururmm.agent.files.FileTransfers files;

    public Agent(AgentConfig config) {
        this.config = config;
        this.platform = Platform.current(config.machineIdFile());
        this.state = new StateDir(config.stateDir());
        // Every connection (enrolment, WebSocket, build downloads) goes through this one client, so
        // one trust decision covers them all (docs/OPERATIONS.md, "TLS").
        Optional<String> pin = pinnedFingerprint();
        if ("https".equals(config.serverUrl().getScheme())) {
            log.info("server {} is trusted {}", config.serverUrl(), pin.map(p -> "by its pinned certificate SHA-256 " + p)
                    .orElse("through the system trust store"));
        }
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).sslContext(ServerTrust.context(pin)).build();
    }

    /**
     * JNA (process spawning, metrics, terminals) unpacks its native library into a temp directory
     * before first use. The agent's own state dir is the one place it can always write: under the
     * systemd sandbox, or in a mount namespace of its own, /tmp may be read-only or private.
     */
    private void useStateDirForNativeLibraries() {
        if (System.getProperty("jna.tmpdir") != null) {
            return;
        }
        try {
            java.nio.file.Path dir = java.nio.file.Files.createDirectories(state.resolve("native"));
            System.setProperty("jna.tmpdir", dir.toString());
        } catch (java.io.IOException e) {
            log.warn("native libraries unpack to the system temp dir: {} cannot be created ({})", state.resolve("native"), e.getMessage());
        }
    }

    /** The configured fingerprint, else the one pinned at enrolment (so removing the setting later does not widen trust). */
    private Optional<String> pinnedFingerprint() {
        if (config.serverFingerprint() != null) {
            return Optional.of(config.serverFingerprint());
        }
        if (!"https".equals(config.serverUrl().getScheme())) {
            return Optional.empty();
        }
        return state.read(state.resolve(ServerTrust.PIN_FILE)).map(String::trim).filter(t -> !t.isEmpty()).map(ServerTrust::normalizeFingerprint);
    }

    /** Keeps the configured pin in the state dir once enrolled with it. */
    private void persistPin() {
        if (config.serverFingerprint() == null) {
            return;
        }
        if (state.read(state.resolve(ServerTrust.PIN_FILE)).map(String::trim).filter(config.serverFingerprint()::equals).isPresent()) {
            return;
        }
        try {
            state.writeAtomically(state.resolve(ServerTrust.PIN_FILE), config.serverFingerprint() + "\n", false);
        } catch (IOException e) {
            log.warn("cannot keep the server's certificate fingerprint in {}: {}", state.resolve(ServerTrust.PIN_FILE), e.toString());
        }
    }

    /** Exit codes: 0 stopped, 3 another agent holds the state dir. */
    public int run() throws InterruptedException {
        state.prepare();
        if (!state.lock()) {
            log.error("another GuruRMM agent is already running with state directory {}; exiting", state.root());
            return 3;
        }
        useStateDirForNativeLibraries();
        deviceId = Identity.deviceId(state);
        machineUid = platform.machineUid();
        if (machineUid == null || machineUid.isBlank()) {
            machineUid = "device:" + deviceId;
            log.warn("could not read this machine's id from the OS; identifying it by device id {}", deviceId);
        }
        inventory = new InventoryCollector(platform.os(), com.gururmm.protocol.Platform.currentArch(), config.agentVersion(),
                config.channel(), machineUid, deviceId, state);
        outbox = new Outbox(state);
        Journal journal = new Journal(state);
        executor = new CommandExecutor(journal, outbox, new ProcessRunner(platform, state.resolve("work")), this::sendResultAware,
                outputStreaming(), message -> link != null && link.connected() && link.send(message));
        checks = new CheckRunner(platform.os(), new ProcessRunner(platform, state.resolve("check-work")), state,
                message -> link != null && link.connected() && link.send(message));
        platform.sandboxNote().ifPresent(note -> {
            log.warn("{}", note);
            executor.noteSandbox(note);
            com.gururmm.agent.platform.HostView host = platform.hostView();
            inventory.withSandboxNote(note + (host.enterable()
                    ? " Commands and shells run in the host's view unless a command asks for the sandbox (\"view\": \"sandbox\")."
                    : host.unavailableReason().map(why -> " Commands cannot leave it: " + why + ".").orElse("")));
        });
        executor.recoverAfterRestart();

        Credentials credentials = Credentials.load(state).orElse(null);
        boolean freshlyEnrolled = credentials == null;
        if (credentials != null) {
            EnrollmentToken.discardLeftover(state);
            persistPin();
        }
        while (credentials == null) {
            credentials = enroll();
            if (credentials == null) {
                Thread.sleep(Duration.ofSeconds(30).toMillis() + ThreadLocalRandom.current().nextLong(10_000));
            }
        }
        log.info("GuruRMM agent {} starting: agent {} on {} (machine {}), server {}", config.agentVersion(),
                credentials.agentId(), platform.os(), machineUid, config.serverUrl());
        this.credentials = credentials;
        updater = new Updater(state, http, config.serverUrl(), config.agentVersion(), platform.os(),
                com.gururmm.protocol.Platform.currentArch(), System.getenv(), new UpdateHost());
        Updater.watchLauncher(System.getenv(), () -> System.exit(0));
        InventoryReporter.Settings inventorySettings;
        try {
            inventorySettings = InventoryReporter.Settings.fromEnvironment(AgentConfig.settings(System.getenv()));
        } catch (IllegalArgumentException e) {
            // A typo in an inventory setting must not stop the agent from running commands.
            log.error("{}; using the defaults (a daily inventory)", e.getMessage());
            inventorySettings = new InventoryReporter.Settings(InventoryReporter.DEFAULT_INTERVAL, InventoryReporter.DEFAULT_STARTUP_DELAY);
        }
        systemInventory = new InventoryReporter(new SystemInventoryCollector(platform.osInventory(), java.time.Clock.systemUTC()),
                state.resolve("inventory-reported-at"), inventorySettings, timer,
                message -> link != null && link.send(message), java.time.Clock.systemUTC());
        tunnels = new com.gururmm.agent.tunnel.TunnelManager(platform, http, config.serverUrl(),
                () -> new com.gururmm.agent.tunnel.TunnelManager.Credential(this.credentials.agentId(), this.credentials.agentToken()),
                System.getenv());
        files = new com.gururmm.agent.files.FileTransfers(filesRoot(), message -> link != null && link.connected() && link.send(message));
        link = new ServerLink(http, config.serverUrl(), new ServerLink.Credential(credentials.agentId(), credentials.agentToken()), new Handler());
        metrics = new MetricsReporter(OshiSampler::new, new MetricsBuffer(state, config.metricsBufferSamples()), config.metricsInterval(),
                message -> link.connected() && link.send(message));
        metrics.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            tunnels.stopAll("agent stopping");
            files.stopAll();
            metrics.stop();
            link.stop();
            state.unlock();
        }, "agent-shutdown"));
        scheduleHeartbeat();
        startCrashReports();
        // The hello may go out before the full inventory is ready; report it as soon as it is.
        inventory.whenComplete(() -> {
            if (link.connected()) {
                reportInventoryIfChanged();
            }
        });
        link.runForever(() -> {
            Inventory current = inventory.collect();
            lastReported = current;
            return new AgentMessage.Hello(Wire.PROTOCOL_VERSION, current);
        }, !freshlyEnrolled);
        return 0;
    }

    /**
     * Checks the crash-event source at start and every {@link com.gururmm.agent.events.CrashReporter#INTERVAL},
     * on a thread of its own: a slow event-log query must not delay heartbeats on the timer.
     */
    private void startCrashReports() {
        crashEventSource().ifPresent(source -> {
            crashes = new com.gururmm.agent.events.CrashReporter(source, state, java.time.Clock.systemUTC(),
                    message -> link != null && link.connected() && link.send(message));
            ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("agent-crash-events").daemon().factory());
            long intervalMillis = com.gururmm.agent.events.CrashReporter.INTERVAL.toMillis();
            checker.scheduleWithFixedDelay(crashes::check, 5_000 + ThreadLocalRandom.current().nextLong(10_000), intervalMillis,
                    TimeUnit.MILLISECONDS);
        });
    }

    /**
     * The platform's crash-event source (Windows: the System log). {@value #TEST_CRASH_EVENTS_FILE}
     * names a file of event XML to read instead, on any OS: tests use it to drive the real agent's
     * reporting on Linux, where there is no event log; operators never set it.
     */
    private java.util.Optional<com.gururmm.agent.events.EventLogSource> crashEventSource() {
        String file = System.getenv(TEST_CRASH_EVENTS_FILE);
        if (file != null && !file.isBlank()) {
            log.warn("reading crash events from {} ({}), not from the platform's event log", file, TEST_CRASH_EVENTS_FILE);
            Path path = Path.of(file);
            return java.util.Optional.of(() -> java.nio.file.Files.exists(path) ? java.nio.file.Files.readString(path) : "");
        }
        return platform.crashEvents();
    }

    static final String TEST_CRASH_EVENTS_FILE = "GURURMM_TEST_CRASH_EVENTS_FILE";

    /** Live command output settings; a typo there must not stop the agent from running commands. */
    private static com.gururmm.agent.exec.OutputStreamer.Settings outputStreaming() {
        try {
            return com.gururmm.agent.exec.OutputStreamer.Settings.from(AgentConfig.settings(System.getenv()));
        } catch (IllegalArgumentException e) {
            log.error("{}; streaming command output with the defaults", e.getMessage());
            return com.gururmm.agent.exec.OutputStreamer.Settings.DEFAULTS;
        }
    }

    /** The confined root of file transfer ({@code GURURMM_FILES_ROOT}); a bad value confines to a root that does not exist, so nothing is transferred. */
    private static Path filesRoot() {
        try {
            Path root = com.gururmm.agent.files.FileTransfers.rootFrom(AgentConfig.settings(System.getenv()));
            if (root != null) {
                log.info("file transfer is confined to {}", root);
            }
            return root;
        } catch (IllegalArgumentException e) {
            log.error("{}; file transfer is refused until it is fixed", e.getMessage());
            return Path.of("/nonexistent-gururmm-files-root");
        }
    }

    private Credentials enroll() throws InterruptedException {
        EnrollmentToken token = EnrollmentToken.find(config.enrollmentTokenFile(), state, config.enrollmentToken()).orElse(null);
        if (token == null) {
            log.error("this agent is not enrolled and has no enrollment token; put one in the file GURURMM_ENROLLMENT_TOKEN_FILE names"
                    + " (or {}, or set GURURMM_ENROLLMENT_TOKEN) (retrying in 30 s)", state.resolve(EnrollmentToken.HANDOVER));
            return null;
        }
        Inventory inv = inventory.collect();
        try {
            EnrollResponse response = new Enroller(http, config.serverUrl()).enroll(new EnrollRequest(token.token(), deviceId, machineUid,
                    inv.hostname(), inv.os(), inv.arch(), inv.agentVersion(), config.channel()));
            Credentials credentials = new Credentials(response.agentId(), response.agentToken(), config.serverUrl().toString());
            if (credentials.save(state)) {
                // Only once the credential is on disk: until then the token may be needed again.
                token.consumed();
            }
            log.info("enrolled as agent {}", response.agentId());
            persistPin();
            return credentials;
        } catch (Enroller.EnrollmentRefused e) {
            log.error("{}; fix the enrollment token (retrying in 30 s)", e.getMessage());
        } catch (IOException e) {
            log.warn("cannot reach the server to enroll ({}); retrying", e.toString());
        }
        return null;
    }

    /** Results are remembered when sent, so unacknowledged ones can be resent. */
    private void sendResultAware(AgentMessage message) {
        if (message instanceof CommandResult result) {
            resultSentAt.put(result.commandId(), System.nanoTime());
        }
        if (link != null) {
            link.send(message);
        }
    }

    private void scheduleHeartbeat() {
        // A fresh random delay each beat (80-100 % of the interval) keeps a fleet from beating in step.
        long millis = (long) (heartbeat.toMillis() * ThreadLocalRandom.current().nextDouble(0.8, 1.0));
        synchronized (beatLock) {
            nextBeat = timer.schedule(this::beat, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The welcome brought a different interval: the beat already scheduled with the old one would
     * come too late if the server's is shorter (it drops a connection silent for two intervals).
     */
    private void rescheduleHeartbeat() {
        synchronized (beatLock) {
            // If the beat is running right now, its own finally schedules the next one with the new interval.
            if (nextBeat != null && nextBeat.cancel(false)) {
                scheduleHeartbeat();
            }
        }
    }

    private int beats;
    /** Guards {@link #nextBeat} only (never held while sending). */
    private final Object beatLock = new Object();
    private java.util.concurrent.ScheduledFuture<?> nextBeat;

    private void beat() {
        try {
            if (link.connected()) {
                // Liveness (pings, giving up on a silent connection) is the link's own watchdog; this
                // timer only tells the server we are here.
                link.send(new AgentMessage.Heartbeat(java.time.Instant.now()));
                resendUnacknowledged();
                if (++beats % INVENTORY_EVERY_N_HEARTBEATS == 0) {
                    reportInventoryIfChanged();
                }
            }
        } catch (RuntimeException e) {
            log.warn("heartbeat failed: {}", e.toString());
        } finally {
            scheduleHeartbeat();
        }
    }

    private void resendUnacknowledged() {
        long staleAfter = heartbeat.multipliedBy(2).toNanos();
        long now = System.nanoTime();
        for (CommandResult result : outbox.all()) {
            Long sent = resultSentAt.get(result.commandId());
            if (sent == null || now - sent > staleAfter) {
                sendResultAware(result);
            }
        }
    }

    private synchronized void reportInventoryIfChanged() {
        Inventory current = inventory.collect();
        if (!current.equals(lastReported)) {
            lastReported = current;
            link.send(new AgentMessage.InventoryReport(current));
        }
    }

    private final class Handler implements ServerLink.Handler {
        @Override
        public void onWelcome(ServerMessage.Welcome welcome) {
            if (welcome.heartbeatSeconds() > 0 && welcome.heartbeatSeconds() != heartbeat.toSeconds()) {
                heartbeat = Duration.ofSeconds(welcome.heartbeatSeconds());
                rescheduleHeartbeat();
            }
            log.info("connected to the server as agent {} (heartbeat {} s, protocol {})", welcome.agentId(), welcome.heartbeatSeconds(),
                    welcome.protocolVersion());
            if (Wire.SUPPORTED.tooOld(welcome.protocolVersion()) || Wire.SUPPORTED.tooNew(welcome.protocolVersion())) {
                // Only a server breaking the negotiation rule (docs/PROTOCOL.md) does this; carry on with what this build speaks.
                log.error("the server chose protocol version {}, which this agent (protocol {}) does not speak", welcome.protocolVersion(),
                        Wire.SUPPORTED);
            }
            for (CommandResult result : outbox.all()) {
                sendResultAware(result);
            }
            checks.resendPending();
            if (inventory.complete()) {
                reportInventoryIfChanged(); // the hello may have carried the partial start-up inventory
            }
            updater.onConnected();
            if (updater.settled()) {
                state.retireOldCommandLayout(); // no rollback can come to a version that reads only the old files
            }
            systemInventory.onConnected();
            if (crashes != null) {
                crashes.sendPending();
            }
            metrics.onConnected();
        }

        @Override
        public void onMessage(ServerMessage message) {
            switch (message) {
                case ServerMessage.RunCommand run -> executor.onRun(run);
                case ServerMessage.CancelCommand cancel -> executor.onCancel(cancel.commandId());
                case ServerMessage.ResultAck ack -> {
                    executor.onAck(ack.commandId());
                    resultSentAt.remove(ack.commandId());
                }
                case ServerMessage.Refused refused when "unsupported_protocol".equals(refused.error()) ->
                        // The server closes the connection next; an update_offer it sent first is already being applied.
                        log.error("the server does not speak this agent's protocol: {}", refused.message());
                case ServerMessage.Refused refused -> log.warn("server refused a frame: {} ({})", refused.message(), refused.error());
                case ServerMessage.Welcome welcome -> onWelcome(welcome);
                case ServerMessage.UpdateOffer offer -> updater.onOffer(offer);
                case ServerMessage.CollectInventory collect -> systemInventory.onRequest(collect.requestId());
                case ServerMessage.EventsAck ack -> {
                    if (crashes != null) {
                        crashes.onAck(ack.eventKeys());
                    }
                }
                case ServerMessage.TunnelOpen open -> tunnels.onOpen(open);
                case ServerMessage.TunnelClose close -> tunnels.onClose(close);
                case ServerMessage.ChecksConfig config -> checks.configure(config);
                case ServerMessage.CheckResultsAck ack -> checks.onAck(ack.upToSeq());
                case ServerMessage.MetricsAck ack -> metrics.onAck(ack);
                case ServerMessage.FileUpload upload -> files.onUpload(upload);
                case ServerMessage.FileChunk chunk -> files.onChunk(chunk);
                case ServerMessage.FileDownload download -> files.onDownload(download);
                case ServerMessage.FileDataAck ack -> files.onDataAck(ack);
                case ServerMessage.FileCancel cancel -> files.onCancel(cancel);
            }
        }

        @Override
        public ServerLink.Credential onCredentialRejected() {
            try {
                Credentials fresh = enroll();
                if (fresh != null) {
                    credentials = fresh;
                }
                return fresh == null ? null : new ServerLink.Credential(fresh.agentId(), fresh.agentToken());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** What the updater may do with this agent: send, authenticate downloads, and exit for the switch. */
    private final class UpdateHost implements Updater.Host {
        @Override
        public boolean send(AgentMessage message) {
            return link != null && link.send(message);
        }

        @Override
        public UUID agentId() {
            return credentials.agentId();
        }

        @Override
        public String agentToken() {
            return credentials.agentToken();
        }

        @Override
        public void stopAcceptingCommands() {
            executor.stopIntake();
        }

        @Override
        public int runningCommands() {
            return executor.runningCount();
        }

        @Override
        public void exitForSwitch() {
            link.stop();
            state.unlock();
            System.exit(Launcher.EXIT_SWITCH);
        }
    }
}

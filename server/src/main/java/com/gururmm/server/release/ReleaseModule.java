package com.gururmm.server.release;

import com.gururmm.server.agent.AgentStore;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.config.ServerConfig;
import com.gururmm.server.routing.RouteTable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Function;
import com.gururmm.protocol.api.Releases.UpdateState;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The releases feature wired together, so the composition root needs three lines for it:
 * construct, {@link #register} the routes, schedule {@link #pushOffers}.
 */
public final class ReleaseModule {
    private static final Logger log = LoggerFactory.getLogger(ReleaseModule.class);
    /** How stale the catalog may be: a hand-edited sidecar is live within about this long. */
    private static final Duration SCAN_MAX_AGE = Duration.ofSeconds(1);
    /** How often online agents are re-offered builds after a change to the catalog or a rollout. */
    public static final Duration PUSH_INTERVAL = Duration.ofSeconds(2);

    private final ReleaseService service;
    private final UpdateCoordinator coordinator;
    private final DownloadRoutes downloads;

    public ReleaseModule(ServerConfig config, Jdbi jdbi, AgentStore agents, ConnectionRegistry registry, AuditLog audit, Clock clock) {
        boolean ownKey = config.releaseSigningKeyFile().isEmpty();
        Path keyFile = ownKey ? config.dataDir().resolve("release-signing.key") : Path.of(config.releaseSigningKeyFile());
        ReleaseSigner signer = ReleaseSigner.load(keyFile, ownKey);
        DownloadsScanner scanner = new DownloadsScanner(config.downloadsDir(), signer, clock, SCAN_MAX_AGE);
        RolloutStore rollouts = new RolloutStore(jdbi);
        UpdateStore updates = new UpdateStore(jdbi);
        this.service = new ReleaseService(scanner, new ReleaseFiles(config.downloadsDir(), signer), signer, rollouts, updates, audit, clock);
        this.coordinator = new UpdateCoordinator(scanner, rollouts, updates, agents, registry, audit, clock, config.rolloutFailurePercent());
        this.downloads = new DownloadRoutes(config.downloadsDir());
        log.info("release signing key {} (fingerprint {})", keyFile, signer.describe().fingerprint());
    }

    /** Each agent's latest self-update attempt, for the agent views (needs only the database). */
    public static Function<UUID, UpdateState> updateStates(Jdbi jdbi) {
        UpdateStore store = new UpdateStore(jdbi);
        return id -> store.get(id).orElse(null);
    }

    public UpdateCoordinator coordinator() {
        return coordinator;
    }

    public ReleaseService service() {
        return service;
    }

    public void register(RouteTable routes) {
        new ReleaseRoutes(service).register(routes);
        downloads.register(routes);
    }

    /** Scheduled job: offer builds to online agents after a change; never throws (a failure is retried next round). */
    public void pushOffers() {
        try {
            coordinator.pushIfChanged();
        } catch (RuntimeException e) {
            log.warn("could not push update offers; will retry: {}", e.toString());
        }
    }
}

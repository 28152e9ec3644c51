package com.gururmm.server;

import com.gururmm.protocol.Json;
import com.gururmm.protocol.wire.Wire;
import com.gururmm.server.agent.AgentRoutes;
import com.gururmm.server.agentevent.AgentEventRoutes;
import com.gururmm.server.agentevent.AgentEventService;
import com.gururmm.server.agentevent.AgentEventStore;
import com.gururmm.server.agent.AgentService;
import com.gururmm.server.agent.AgentStore;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.agent.HostMachineId;
import com.gururmm.server.agent.ServerHostScope;
import com.gururmm.server.agent.LastSeenFlusher;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.audit.AuditRoutes;
import com.gururmm.server.auth.AuthRoutes;
import com.gururmm.server.auth.ClientAddress;
import com.gururmm.server.auth.JwtKeyFile;
import com.gururmm.server.auth.AuthService;
import com.gururmm.server.auth.JwtService;
import com.gururmm.server.auth.MfaRoutes;
import com.gururmm.server.auth.MfaService;
import com.gururmm.server.auth.SecretBox;
import com.gururmm.server.auth.PasswordHasher;
import com.gururmm.server.auth.UserRoutes;
import com.gururmm.server.batch.BatchRoutes;
import com.gururmm.server.batch.BatchService;
import com.gururmm.server.command.CommandRoutes;
import com.gururmm.server.command.CommandService;
import com.gururmm.server.command.CommandStore;
import com.gururmm.server.command.ClusterCommandRelay;
import com.gururmm.server.command.CommandWaits;
import com.gururmm.server.config.DataDirectory;
import com.gururmm.server.config.ServerConfig;
import com.gururmm.server.dashboard.DashboardRoutes;
import com.gururmm.server.db.Database;
import com.gururmm.server.enrollment.EnrollmentTokenRoutes;
import com.gururmm.server.events.EventBus;
import com.gururmm.server.events.EventJournal;
import com.gururmm.server.events.EventRoutes;
import com.gururmm.server.events.InProcessEventBus;
import com.gururmm.server.events.NatsEventBus;
import com.gururmm.server.enrollment.EnrollmentTokenService;
import com.gururmm.server.enrollment.EnrollmentTokenStore;
import com.gururmm.server.gateway.AgentGateway;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.inventory.InventoryRoutes;
import com.gururmm.server.inventory.InventoryService;
import com.gururmm.server.inventory.InventoryStore;
import com.gururmm.server.http.ErrorMapper;
import com.gururmm.server.observability.Meters;
import com.gururmm.server.observability.MetricsRoutes;
import com.gururmm.server.observability.RequestObserver;
import com.gururmm.server.observability.ScrapeToken;
import com.gururmm.server.monitoring.MonitoringModule;
import com.gururmm.server.notify.NotificationModule;
import com.gururmm.server.metrics.MetricStore;
import com.gururmm.server.metrics.MetricsService;
import com.gururmm.server.release.ReleaseModule;
import com.gururmm.server.release.UpdateCoordinator;
import com.gururmm.server.routing.AccessFilter;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import com.gururmm.server.tls.ServerCertificate;
import com.gururmm.server.tls.TlsConnector;
import com.gururmm.server.tls.TlsRoutes;
import com.gururmm.server.tunnel.TunnelRoutes;
import com.gururmm.server.tunnel.TunnelService;
import com.gururmm.server.tunnel.TunnelSockets;
import com.gururmm.server.tenancy.TenancyGuard;
import com.gururmm.server.tenancy.TenancyRoutes;
import com.gururmm.server.tenancy.TenancyService;
import com.gururmm.server.tenancy.TenancyStore;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component from the config, wires routes, runs the
 * background jobs (last-seen flusher, command sweeper) and owns their lifecycle. Nothing
 * else constructs services, so the dependency graph is readable in one place.
 */
public final class GuruServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GuruServer.class);

    private final ServerConfig config;
    private final Database database;
    private final Javalin app;
    private final ScheduledExecutorService scheduler;
    private final ConnectionRegistry registry;
    private final AuthService auth;
    private final EnrollmentTokenService enrollmentTokens;
    private final CommandService commands;
    private final LastSeenFlusher flusher;
    private final ReleaseModule releases;
    private final AccessFilter access;
    private final EventBus bus;
    private final String nodeName;
    private final MetricsService metrics;
    private final Meters meters;
    private final TunnelService tunnels;
    private final com.gururmm.server.pipeline.PipelineService pipeline;
    private final TunnelSockets tunnelSockets;
    /** Null on a single node. */
    private final com.gururmm.server.cluster.NodeRelay relay;
    private final com.gururmm.server.files.FileTransferService files;
    private final MonitoringModule monitoring;
    private final NotificationModule notifications;
    private final com.gururmm.server.automation.AutomationModule automation;
    private final com.gururmm.server.command.OutputService commandOutput;
    private RouteTable routeTable;
    private final com.gururmm.server.cluster.ClusterLeases clusterLeases;
    private final com.gururmm.server.cluster.ClusterPresence clusterPresence;
    private final com.gururmm.server.batch.BatchProgressPublisher batchProgress;
    private final Optional<ServerCertificate> tls;

    private GuruServer(ServerConfig config, Database database, Meters meters) {
        this.config = config;
        this.database = database;
        this.meters = meters;
        Clock clock = Clock.systemUTC();
        var jdbi = database.jdbi();

        AuditLog audit = new AuditLog(jdbi, clock);
        // A file, not the database: a dump must not be enough to forge a token (docs/OPERATIONS.md, "Signing keys").
        JwtService jwt = new JwtService(JwtKeyFile.load(config.jwtKeyPath(), config.jwtKeyFile().isEmpty()), clock);
        this.auth = new AuthService(jdbi, new PasswordHasher(), jwt, audit, clock);
        if (config.nats().isPresent()) {
            auth.clustered();
        }
        ClientAddress clientAddress = ClientAddress.trusting(config.trustedProxies());
        // TOTP secrets are sealed with a key in a file, like the signing key (docs/OPERATIONS.md, "MFA").
        MfaService mfa = new MfaService(jdbi, auth, new SecretBox(JwtKeyFile.load(config.mfaKeyPath(), config.mfaKeyFile().isEmpty(),
                "MFA secret key", "GURURMM_MFA_KEY_FILE")), audit, clock);
        // API keys as bearer tokens beside session JWTs (docs/OPERATIONS.md, "API keys"); registers itself with auth.
        com.gururmm.server.auth.ApiKeyService apiKeys = new com.gururmm.server.auth.ApiKeyService(jdbi, auth, audit, clock);
        // OpenID Connect single sign-on, and password login turned off (docs/OPERATIONS.md, "Single sign-on (OIDC)").
        com.gururmm.server.auth.OidcService oidc = config.oidc().enabled()
                ? new com.gururmm.server.auth.OidcService(config.oidc(), jdbi, auth, mfa, audit, clock) : null;
        if (!config.oidc().localLogin()) {
            auth.disableLocalLogin();
        }
        TenancyStore tenancyStore = new TenancyStore(jdbi);
        TenancyService tenancy = new TenancyService(tenancyStore, audit, clock);
        this.enrollmentTokens = new EnrollmentTokenService(new EnrollmentTokenStore(jdbi), tenancy, audit, clock);
        // One node by default; with NATS_URL the bus spans every node (docs/OPERATIONS.md, "Waiting for results and watching events").
        this.nodeName = config.cluster().effectiveNodeName(config.httpPort());
        this.bus = config.nats().<EventBus>map(url -> NatsEventBus.connect(url, Duration.ofSeconds(10))).orElseGet(InProcessEventBus::new);
        this.registry = new ConnectionRegistry(audit, bus);
        // Cluster presence and job leases (docs/OPERATIONS.md, "Cluster"): the same code on one node, which holds every lease.
        // Leases and heartbeats go through a pool of their own, so a busy main pool never makes this node look dead.
        this.clusterLeases = new com.gururmm.server.cluster.ClusterLeases(database.livenessJdbi(), nodeName, config.cluster().lease());
        this.clusterPresence = new com.gururmm.server.cluster.ClusterPresence(jdbi, database.livenessJdbi(), nodeName,
                config.cluster().lease(), bus, registry, clusterLeases, config.nats().isPresent());
        AgentStore agentStore = new AgentStore(jdbi);
        CommandStore commandStore = new CommandStore(jdbi);
        Optional<String> hostMachineId = HostMachineId.read();
        // An agent enrolled on this machine before the server-host mark existed (or before this
        // server moved here) is marked now; enrollment marks later ones.
        hostMachineId.ifPresent(id -> {
            if (agentStore.markServerHost(id) > 0) {
                log.info("marked the agent of this machine ({}) as the server host: commands on it are admin-only", id);
            }
        });
        AgentService agents = new AgentService(agentStore, registry, enrollmentTokens, audit, clock, ReleaseModule.updateStates(jdbi),
                commandStore, hostMachineId);
        ServerHostScope serverHostScope = new ServerHostScope(agentStore);
        this.releases = new ReleaseModule(config, jdbi, agentStore, registry, audit, clock);
        this.commands = new CommandService(commandStore, agents, registry, audit, clock,
                config.queuedCommandTtl(), config.agentLostGrace(), serverHostScope, bus, nodeName);
        if (config.nats().isPresent()) {
            new ClusterCommandRelay(bus, commands, registry, nodeName);
        }
        commands.meters(meters);
        meters.agentsOnline(registry::onlineCount);
        meters.commandsByStatus(java.util.Arrays.stream(com.gururmm.protocol.CommandStatus.values())
                .map(com.gururmm.protocol.CommandStatus::wireName).toList(), commandStore::countByStatus, Duration.ofSeconds(15));
        MetricsRoutes metricsRoutes = new MetricsRoutes(meters, ScrapeToken.load(config.metricsTokenFile()));
        this.flusher = new LastSeenFlusher(registry, agentStore);
        CommandWaits commandWaits = new CommandWaits(bus);
        EventJournal journal = new EventJournal(bus);
        // An event is visible when its agent is in the caller's scope (the rule of GET /api/agents/{id}).
        TenancyGuard scopeGuard = new TenancyGuard(tenancyStore, serverHostScope);
        Rule batchProgressRead = Rule.role(com.gururmm.server.auth.Role.VIEWER).onBatch("id");
        EventRoutes eventRoutes = new EventRoutes(journal, auth::authenticate,
                (principal, entry) -> entry.data() instanceof com.gururmm.server.events.BatchProgress progress
                        ? visibleBatch(scopeGuard, batchProgressRead, principal, progress.batchId())
                        : scopeGuard.agentVisible(principal, entry.agentId()));
        // Live command output: stored and published here, read (and followed) with the rule of reading the command.
        this.commandOutput = new com.gururmm.server.command.OutputService(jdbi, config.commandOutput(), bus, clock, nodeName);
        Rule readCommand = Rule.role(com.gururmm.server.auth.Role.VIEWER).onCommand("id");
        com.gururmm.server.command.OutputRoutes outputRoutes = new com.gururmm.server.command.OutputRoutes(commandOutput,
                new com.gururmm.server.command.OutputFollowers(bus), auth::authenticate, (principal, commandId) -> {
                    try {
                        scopeGuard.check(principal, readCommand, commandId);
                        return true;
                    } catch (com.gururmm.server.http.ApiException outside) {
                        return false;
                    }
                });
        DashboardRoutes dashboard = new DashboardRoutes();
        BatchService batches = new BatchService(jdbi, commands, agents, audit, clock);
        // batch.progress on the bus (and /api/events): a coalesced snapshot per changed batch.
        this.batchProgress = new com.gururmm.server.batch.BatchProgressPublisher(jdbi, batches, bus, clock, nodeName);
        AgentGateway gateway = new AgentGateway(agents, commands, registry, clock, config.heartbeatInterval(), releases.coordinator(),
                clientAddress);
        InventoryService inventory = new InventoryService(new InventoryStore(jdbi), agents, registry, audit, clock);
        gateway.systemInventory(inventory::receive);
        this.metrics = new MetricsService(new MetricStore(jdbi), bus, clock, Duration.ofDays(config.metricsRetentionDays()));
        gateway.metrics(metrics);
        gateway.commandOutput(commandOutput);
        this.access = new AccessFilter(auth, agents::authenticate);
        access.clientAddress(clientAddress::of);
        this.notifications = new NotificationModule(config.notifications(), jdbi, audit, bus, clock);
        // Scope (clients/sites: 404 outside it) and the server-host rule (403), for every route naming an object.
        access.scope(scopeGuard);
        gateway.meters(meters);
        AgentEventService agentEvents = new AgentEventService(new AgentEventStore(jdbi), bus, clock);
        gateway.agentEvents(agentEvents);
        this.tunnels = new TunnelService(config.tunnel(), jdbi, agents, registry, access::checkAgent, audit, clock, config.dataDir(), nodeName);
        // In a cluster, work bound to another node (a shell, a file transfer through an agent connected there) is passed on to it.
        this.relay = config.nats().isPresent() ? new com.gururmm.server.cluster.NodeRelay(nodeName, clusterPresence::urlOf, meters) : null;
        this.tunnelSockets = new TunnelSockets(tunnels, auth::authenticate, agents::authenticate, relay);
        this.pipeline = new com.gururmm.server.pipeline.PipelineService(config.pipeline(), database, releases.service(), audit, clock,
                config.dataDir(), nodeName, clusterLeases::databaseNow, config.cluster().lease().multipliedBy(2));
        this.files = new com.gururmm.server.files.FileTransferService(config.files(), agents, registry, audit);
        gateway.files(files::onAgentMessage);
        this.monitoring = new MonitoringModule(jdbi, agentStore, registry, audit, bus, clock, serverHostScope,
                new com.gururmm.server.monitoring.Visibility() {
                    @Override
                    public boolean agent(com.gururmm.server.auth.Principal principal, java.util.UUID agentId) {
                        return scopeGuard.agentVisible(principal, agentId);
                    }

                    @Override
                    public boolean siteName(com.gururmm.server.auth.Principal principal, String site) {
                        return scopeGuard.siteNameVisible(principal, site);
                    }

                    @Override
                    public boolean wholeSiteName(com.gururmm.server.auth.Principal principal, String site) {
                        return scopeGuard.siteNameWithin(principal, site);
                    }
                });
        gateway.checks(monitoring.agentChecks());
        Rule batchRead = Rule.role(com.gururmm.server.auth.Role.VIEWER).onBatch("id");
        this.automation = new com.gururmm.server.automation.AutomationModule(jdbi, batches, agents, audit, clock, (principal, batchId) -> {
            try {
                scopeGuard.check(principal, batchRead, batchId);
                return true;
            } catch (com.gururmm.server.http.ApiException e) {
                return false;
            }
        }, auth::principalOf, nodeName, monitoring, access::checkAgent);

        // HTTPS when configured (docs/OPERATIONS.md, "TLS"): one TLS connector replaces the plain one.
        this.tls = ServerCertificate.fromConfig(config);
        this.app = Javalin.create(cfg -> {
            tls.ifPresent(certificate -> TlsConnector.install(cfg, certificate, config.httpHost(), config.httpPort()));
            cfg.concurrency.useVirtualThreads = true;
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = Bodies.MAX_BODY_BYTES;
            cfg.jsonMapper(new JavalinJackson(Json.mapper(), true));
            cfg.jetty.modifyWebSocketServletFactory(factory -> {
                factory.setMaxTextMessageSize(Wire.MAX_FRAME_BYTES);
                factory.setIdleTimeout(config.heartbeatInterval().multipliedBy(2).plusSeconds(1));
            });
            new RequestObserver(meters).install(cfg);
            ErrorMapper.install(cfg.routes);
            com.gururmm.server.http.JsonErrorHandler.install(cfg);
            RouteTable routes = new RouteTable(cfg.routes);
            routes.relayWith(relay);
            access.install(cfg.routes, routes);
            routes.get("/healthz", Rule.open("liveness probe; no data"), "Alive, with database reachability", ctx -> ctx.json(Map.of(
                    "status", database.isReachable() ? "ok" : "degraded",
                    "database", database.isReachable(),
                    "agents_online", registry.onlineCount())));
            routes.get("/readyz", Rule.open("readiness probe for a load balancer; no data"),
                    "Ready: the database and the event bus are reachable (503 otherwise)", ctx -> {
                boolean db = database.isReachable();
                boolean busUp = bus.isReachable();
                ctx.status(db && busUp ? 200 : 503).json(Map.of("status", db && busUp ? "ready" : "not_ready",
                        "database", db, "bus", busUp));
            });
            new AuthRoutes(auth, clientAddress).register(routes);
            new UserRoutes(auth).register(routes);
            new MfaRoutes(mfa, clientAddress).register(routes);
            new com.gururmm.server.auth.ApiKeyRoutes(apiKeys, clientAddress).register(routes);
            new com.gururmm.server.auth.OidcRoutes(oidc, auth, clientAddress).register(routes);
            new TlsRoutes(tls).register(routes);
            new AgentRoutes(agents, clientAddress, tenancy).latestMetrics(metrics::latest).register(routes);
            new TenancyRoutes(tenancy).register(routes);
            new CommandRoutes(commands, commandWaits).register(routes);
            outputRoutes.register(routes);
            new BatchRoutes(batches).register(routes);
            new EnrollmentTokenRoutes(enrollmentTokens).register(routes);
            new AuditRoutes(audit).register(routes);
            new InventoryRoutes(inventory).register(routes);
            eventRoutes.register(routes);
            metricsRoutes.register(routes, access);
            new AgentEventRoutes(agentEvents, agents).register(routes);
            new com.gururmm.server.metrics.MetricsRoutes(metrics, id -> agentStore.findById(id).isPresent(), clock).register(routes);
            gateway.register(cfg.routes);
            new TunnelRoutes(tunnels).register(routes);
            tunnelSockets.register(cfg.routes);
            new com.gururmm.server.files.FileRoutes(files).register(routes);
            releases.register(routes);
            access.credential(com.gururmm.server.release.InstallRoutes.ENROLLMENT_CREDENTIAL, enrollmentTokens::usableBearer);
            new com.gururmm.server.release.InstallRoutes(releases.service(), tls.map(ServerCertificate::leaf)).register(routes);
            new com.gururmm.server.pipeline.PipelineRoutes(pipeline).register(routes);
            monitoring.register(routes);
            notifications.register(routes);
            automation.register(routes);
            new com.gururmm.server.cluster.ClusterRoutes(clusterPresence, clusterLeases).register(routes);
            dashboard.register(cfg, routes);
            routes.registerOpenApi(GuruServer.class.getPackage().getImplementationVersion() == null ? "dev"
                    : GuruServer.class.getPackage().getImplementationVersion());
            this.routeTable = routes;
        });
        this.scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().name("gururmm-jobs-", 0).daemon().factory());
    }

    /** Opens the database, migrates it, creates the first admin, and starts listening. */
    public static GuruServer start(ServerConfig config) {
        createDirectories(config);
        Meters meters = new Meters();
        Database database;
        GuruServer server;
        try {
            database = Database.open(config, meters.registry());
        } catch (RuntimeException e) {
            meters.close();
            throw e;
        }
        try {
            server = new GuruServer(config, database, meters);
        } catch (RuntimeException e) {
            database.close();
            meters.close();
            throw e;
        }
        // H2's files and the release key were just created with the process umask.
        DataDirectory.makePrivate(config.dataDir(), config.downloadsDir());
        server.startListening();
        return server;
    }

    private void startListening() {
        clusterPresence.start();
        monitoring.offlineAlertsWhen(clusterLeases.lease("monitoring.offline-alerts")::held);
        notifications.dispatchWhen(clusterLeases.lease("notifications.dispatch")::held);
        clusterLeases.lease("commands.sweep");
        clusterLeases.lease("metrics.upkeep");
        clusterLeases.lease("retention");
        clusterLeases.lease("pipeline");
        clusterLeases.start();
        pipeline.start();
        monitoring.start();
        app.start(config.httpHost(), config.httpPort());
        clusterPresence.advertise(config.cluster().effectiveNodeUrl(tls.isPresent(), config.httpHost(), port()));
        // Alert changes whose event was lost between the alert commit and routing are routed from the alert store.
        notifications.catchUpFrom(monitoring::changesSince);
        notifications.start();
        Duration flushEvery = LastSeenFlusher.intervalFor(config.heartbeatInterval());
        scheduler.scheduleWithFixedDelay(flusher, flushEvery.toMillis(), flushEvery.toMillis(), TimeUnit.MILLISECONDS);
        long sweepMillis = Math.max(500, Math.min(10_000, config.agentLostGrace().toMillis() / 3));
        scheduler.scheduleWithFixedDelay(clusterLeases.guard("commands.sweep", this::sweepSafely), sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        long pushMillis = ReleaseModule.PUSH_INTERVAL.toMillis();
        scheduler.scheduleWithFixedDelay(releases::pushOffers, pushMillis, pushMillis, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(database::compactEmbeddedIfGrown, 5, 5, TimeUnit.MINUTES);
        scheduler.scheduleWithFixedDelay(clusterLeases.guard("metrics.upkeep", this::metricsUpkeepSafely), 60, 60, TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(() -> guarded("tunnel sweep", tunnels::sweep), 1, 1, TimeUnit.SECONDS);
        // Checks and windows changed on another node whose announcement was lost (MonitoringModule).
        scheduler.scheduleWithFixedDelay(monitoring::refresh, MonitoringModule.REFRESH_SECONDS, MonitoringModule.REFRESH_SECONDS, TimeUnit.SECONDS);
        // One build at a time: only the holder of the pipeline lease takes builds from the queue.
        scheduler.scheduleWithFixedDelay(clusterLeases.guard("pipeline", () -> guarded("release pipeline", pipeline::tick)), 1, 1, TimeUnit.SECONDS);
        // Scheduled tasks: exactly once per occurrence, also with several nodes (docs/OPERATIONS.md, "Automation").
        scheduler.scheduleWithFixedDelay(() -> guarded("scheduled tasks", automation::tick), 1, 1, TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(() -> guarded("tunnel access re-check", tunnelSockets::recheckClients), 5, 5, TimeUnit.SECONDS);
        // Every node prunes the recordings on its own disk; the sessions of a node that left are ended once, by the lease holder.
        scheduler.scheduleWithFixedDelay(() -> guarded("recording retention", tunnels::pruneRecordings), 1, 60, TimeUnit.MINUTES);
        scheduler.scheduleWithFixedDelay(clusterLeases.guard("retention", () -> guarded("orphaned tunnel sessions", tunnels::endOrphaned)),
                30, 30, TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(clusterLeases.guard("retention", () -> guarded("live output retention", commandOutput::prune)),
                2, 60, TimeUnit.MINUTES);
        log.info("GuruRMM server listening on {}://{}:{}", tls.isPresent() ? "https" : "http", config.httpHost(), port());
        tls.ifPresent(c -> log.info("TLS certificate {}{}, SHA-256 fingerprint {}", c.leaf().getSubjectX500Principal().getName(),
                c.selfSigned() ? " (self-signed: pin this fingerprint in agents with GURURMM_SERVER_FINGERPRINT)" : "", c.fingerprint()));
    }

    /** A batch is visible when every agent it targeted is in the caller's scope (the rule of GET /api/batches/{id}). */
    private static boolean visibleBatch(TenancyGuard guard, Rule rule, com.gururmm.server.auth.Principal principal, java.util.UUID batchId) {
        try {
            guard.check(principal, rule, batchId);
            return true;
        } catch (com.gururmm.server.http.ApiException outside) {
            return false;
        }
    }

    private static void closeQuietly(String what, Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            log.warn("could not close {}: {}", what, e.toString());
        }
    }

    private static void guarded(String what, Runnable job) {
        try {
            job.run();
        } catch (RuntimeException e) {
            log.warn("{} failed; will retry: {}", what, e.toString());
        }
    }

    private void sweepSafely() {
        try {
            commands.sweep();
        } catch (RuntimeException e) {
            log.warn("command sweep failed; will retry: {}", e.getMessage());
        }
    }

    private void metricsUpkeepSafely() {
        try {
            metrics.maintain();
        } catch (RuntimeException e) {
            log.warn("metrics upkeep (packing, retention) failed; will retry: {}", e.getMessage());
        }
    }

    /** Metrics ingestion, reads and upkeep ({@link MetricsService#maintain()} runs every minute). */
    public MetricsService metrics() {
        return metrics;
    }

    /** Creates the first admin if there is no user; returns a generated password to print once. */
    public Optional<String> ensureFirstAdmin() {
        return auth.ensureFirstAdmin(config.adminEmail(), config.adminPassword());
    }

    public int port() {
        return app.port();
    }

    /** The certificate HTTPS is served with; empty when the server speaks plain HTTP. */
    public Optional<ServerCertificate> tls() {
        return tls;
    }

    public ServerConfig config() {
        return config;
    }

    public EnrollmentTokenService enrollmentTokens() {
        return enrollmentTokens;
    }

    /** The public half of the release signing key, base64 X.509, as agents are installed with it. */
    public String releasePublicKey() {
        return releases.service().signingKey().publicKey();
    }

    /** Every HTTP route with its access rule (the authorization test is generated from it). */
    public List<RouteTable.Route> routes() {
        return routeTable.routes();
    }

    /** Offers agent builds; {@link UpdateCoordinator#completedRounds()} tells when a change has been pushed. */
    public UpdateCoordinator updates() {
        return releases.coordinator();
    }

    public ConnectionRegistry registry() {
        return registry;
    }

    /**
     * The server's one meter registry, scraped at {@code GET /metrics}: features register their
     * meters here, named {@code gururmm.<feature>.<what>} (rendered {@code gururmm_<feature>_<what>});
     * see {@link Meters} for the names already agreed (alert evaluation, notification delivery).
     */
    public Meters meters() {
        return meters;
    }

    /** The server's internal event bus (in-process on a single node). */
    public EventBus bus() {
        return bus;
    }

    /** Interactive shells (tests read the replay buffers' size from here). */
    public TunnelService tunnels() {
        return tunnels;
    }

    /** Notification channels, rules and delivery; the alert engine hands it its catch-up source. */
    public NotificationModule notifications() {
        return notifications;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        tunnels.closeAll("server shutting down");
        closeQuietly("release pipeline", pipeline::close);
        notifications.close();
        registry.closeAll("server shutting down");
        app.stop();
        if (relay != null) {
            closeQuietly("node relay", relay::close);
        }
        commands.close();
        flusher.run();
        metrics.close();
        automation.close();
        monitoring.close();
        closeQuietly("batch progress", batchProgress::close);
        closeQuietly("cluster leases", clusterLeases::close);
        closeQuietly("cluster presence", clusterPresence::close);
        bus.close();
        database.close();
        meters.close();
        log.info("GuruRMM server stopped");
    }

    private static void createDirectories(ServerConfig config) {
        // The data dir is private (0700, refused if others can read it); see DataDirectory.
        DataDirectory.prepare(config.dataDir(), config.downloadsDir());
        try {
            Files.createDirectories(config.downloadsDir());
            if (config.downloadsDir().startsWith(config.dataDir())) {
                DataDirectory.makeDirectoryPrivate(config.downloadsDir());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + config.dataDir() + " or " + config.downloadsDir()
                    + "; set GURURMM_DATA_DIR / DOWNLOADS_DIR to writable directories", e);
        }
    }
}

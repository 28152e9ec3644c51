package com.gururmm.server.gateway;

import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ProtocolException;
import com.gururmm.protocol.wire.ProtocolRange;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import com.gururmm.server.agent.AgentService;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.auth.ClientAddress;
import com.gururmm.server.command.CommandService;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.observability.LogContext;
import com.gururmm.server.observability.Meters;
import com.gururmm.server.release.UpdateCoordinator;
import com.gururmm.server.routing.AccessFilter;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent WebSocket endpoint, {@code /api/agent/ws}.
 *
 * <p>Authentication happens before the upgrade: the agent presents
 * {@code Authorization: Bearer <agent token>} and {@code X-GuruRMM-Agent-Id}; a credential that
 * is not the current one of that agent id gets a plain HTTP 401 and no socket.
 *
 * <p>Conversation: the agent's first frame must be {@code hello} (inventory); the server
 * registers the link, answers {@code welcome} and pushes every pending command. After that
 * frames are dispatched by type. A malformed frame is answered with {@code refused} and
 * changes nothing; an agent that keeps sending garbage is disconnected. Frames over
 * {@link Wire#MAX_FRAME_BYTES} are rejected by Jetty itself (close code 1009).
 *
 * <p>Threads: Jetty delivers one connection's frames in order, one at a time, on virtual
 * threads, so a slow database write delays only that agent, and an idle connection holds no
 * thread at all.
 */
public final class AgentGateway {
    private static final Logger log = LoggerFactory.getLogger(AgentGateway.class);
    public static final String PATH = "/api/agent/ws";
    /** Carries the agent id beside its credential: the header the route table takes agent credentials with. */
    public static final String AGENT_ID_HEADER = AccessFilter.AGENT_ID_HEADER;
    private static final String AGENT_ID_ATTRIBUTE = "gururmm.agent-id";
    private static final String LINK_ATTRIBUTE = "gururmm.link";
    private static final String ADDRESS_ATTRIBUTE = "gururmm.client-address";
    private static final int MAX_BAD_FRAMES = 20;
    /** See {@link #protocolRange()}. */
    public static final String TEST_PROTOCOL_RANGE = "gururmm.test.protocol-range";

    private final AgentService agents;
    private final CommandService commands;
    private final ConnectionRegistry registry;
    private final Clock clock;
    private final Duration heartbeat;
    private final UpdateCoordinator updates;
    private final ProtocolRange protocols;
    private final ClientAddress clientAddress;
    private volatile SystemInventorySink systemInventory = (agentId, report) -> Optional.of("this server does not store system inventories");

    /** Where {@code system_inventory} reports go: stores one, or says why it was refused. */
    @FunctionalInterface
    public interface SystemInventorySink {
        Optional<String> receive(UUID agentId, AgentMessage.SystemInventoryReport report);
    }

    /** Set once while wiring, by the inventory feature. */
    public AgentGateway systemInventory(SystemInventorySink sink) {
        this.systemInventory = sink;
        return this;
    }
    private volatile Meters meters;
    private volatile com.gururmm.server.agentevent.AgentEventService agentEvents;
    private volatile AgentChecks checks;
    private volatile com.gururmm.server.metrics.MetricsService metrics;
    private volatile com.gururmm.server.command.OutputService commandOutput;

    public AgentGateway(AgentService agents, CommandService commands, ConnectionRegistry registry, Clock clock, Duration heartbeat) {
        this(agents, commands, registry, clock, heartbeat, null, ClientAddress.trusting(""));
    }

    /**
     * @param updates offers agent builds on connect and records update reports; null = no self-update
     * @param clientAddress resolves the agent's address behind trusted proxies (logs, duplicate-connection audit)
     */
    public AgentGateway(AgentService agents, CommandService commands, ConnectionRegistry registry, Clock clock, Duration heartbeat,
                        UpdateCoordinator updates, ClientAddress clientAddress) {
        this.updates = updates;
        this.protocols = protocolRange();
        this.clientAddress = clientAddress;
        this.agents = agents;
        this.commands = commands;
        this.registry = registry;
        this.clock = clock;
        this.heartbeat = heartbeat;
    }

    /** Set once while wiring: stores {@code agent_events} frames; without it they are refused. */
    public void agentEvents(com.gururmm.server.agentevent.AgentEventService service) {
        this.agentEvents = service;
    }

    /** Set once while wiring: refused frames and connects/disconnects are counted there. */
    public void meters(Meters meters) {
        this.meters = meters;
    }

    /**
     * The versions this server welcomes: {@link Wire#SUPPORTED}. Tests stand in for builds that do
     * not exist yet (an agent older or newer than this one) with the system property
     * {@value #TEST_PROTOCOL_RANGE}{@code =min,max}, read when the server starts; operators never set it.
     */
    static ProtocolRange protocolRange() {
        String override = System.getProperty(TEST_PROTOCOL_RANGE);
        return override == null || override.isBlank() ? Wire.SUPPORTED : ProtocolRange.parse(override);
    }

    /** Set once while wiring: the monitoring feature's side of agent-run checks. */
    public void checks(AgentChecks checks) {
        this.checks = checks;
    }

    /** Where metrics reports go; until set, they are acknowledged as refused so agents do not resend them forever. */
    public AgentGateway metrics(com.gururmm.server.metrics.MetricsService service) {
        this.metrics = service;
        return this;
    }

    private volatile java.util.function.BiConsumer<UUID, AgentMessage> files = (agentId, message) -> {
    };

    /** Where {@code file_*} frames go (file transfer); until set, they are dropped (no transfer is waiting for them). */
    public AgentGateway files(java.util.function.BiConsumer<UUID, AgentMessage> sink) {
        this.files = sink;
        return this;
    }

    /** Where live command output goes; until set, {@code command_output} frames are dropped (they are a best-effort view). */
    public AgentGateway commandOutput(com.gururmm.server.command.OutputService service) {
        this.commandOutput = service;
        return this;
    }

    public void register(RoutesConfig routes) {
        routes.wsBeforeUpgrade(PATH, ctx -> {
            String rawId = ctx.header(AGENT_ID_HEADER);
            String authorization = ctx.header("Authorization");
            UUID agentId;
            try {
                agentId = UUID.fromString(rawId == null ? "" : rawId.trim());
            } catch (IllegalArgumentException e) {
                throw ApiException.unauthorized("Header " + AGENT_ID_HEADER + " must carry the agent id (a UUID).");
            }
            String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? authorization.substring(7).trim() : null;
            String address = clientAddress.of(ctx);
            if (!agents.authenticate(agentId, token)) {
                log.warn("refused agent connection for {} from {}: bad, stale or retired credential", agentId, address);
                throw ApiException.unauthorized("The agent credential is not valid for agent " + agentId + "; re-enroll the agent.");
            }
            ctx.attribute(AGENT_ID_ATTRIBUTE, agentId);
            ctx.attribute(ADDRESS_ATTRIBUTE, address);
        });
        routes.ws(PATH, ws -> {
            ws.onConnect(ctx -> {
                ctx.session.setIdleTimeout(heartbeat.multipliedBy(2).plusSeconds(1));
                ctx.session.setMaxTextMessageSize(Wire.MAX_FRAME_BYTES);
                // A binary frame is refused like any bad frame (the connection stays). Only one over 64 KiB is closed with
                // 1009: a close the peer races with its next write, which can end the connection with a reset instead.
                ctx.session.setMaxBinaryMessageSize(MAX_BINARY_FRAME_BYTES);
                UUID agentId = ctx.attribute(AGENT_ID_ATTRIBUTE);
                ctx.attribute(LINK_ATTRIBUTE, new SocketLink(agentId, ctx.session, ctx.attribute(ADDRESS_ATTRIBUTE)));
                Meters m = meters;
                if (m != null) {
                    m.agentConnected();
                }
            });
            ws.onMessage(ctx -> {
                SocketLink link = link(ctx);
                try (var ignored = LogContext.agent(link == null ? null : link.agentId())) {
                    onFrame(ctx, ctx.message());
                }
            });
            ws.onBinaryMessage(ctx -> refuse(link(ctx), "binary_frame", "Binary frames are not part of the protocol; send JSON text frames."));
            ws.onClose(ctx -> {
                SocketLink link = link(ctx);
                Meters m = meters;
                if (m != null && link != null) {
                    m.agentDisconnected();
                }
                if (ctx.status() == 1009) {
                    countRefused("frame_too_large"); // Jetty closed the socket on a frame over Wire.MAX_FRAME_BYTES
                }
                try (var ignored = LogContext.agent(link == null ? null : link.agentId())) {
                    if (link != null && registry.unregister(link, clock.instant())) {
                        log.info("agent {} disconnected ({} {})", link.agentId(), ctx.status(), ctx.reason());
                    }
                }
            });
            ws.onError(ctx -> {
                SocketLink link = link(ctx);
                log.info("agent {} connection error: {}", link == null ? "?" : link.agentId(),
                        ctx.error() == null ? "unknown" : ctx.error().toString());
            });
        });
    }

    private static SocketLink link(WsContext ctx) {
        return ctx.attribute(LINK_ATTRIBUTE);
    }

    private void onFrame(WsContext ctx, String frame) {
        SocketLink link = link(ctx);
        AgentMessage message;
        try {
            message = Wire.decodeAgentMessage(frame);
        } catch (ProtocolException e) {
            if (e.unknownType().isPresent() && link.helloReceived()) {
                // A newer agent's additive message (docs/PROTOCOL.md): ignored, not garbage, so it never costs the connection.
                log.debug("ignored message of unknown type '{}' from agent {}", e.unknownType().get(), link.agentId());
                countRefused("unknown_message_type");
                if (link.firstOfUnknownType(e.unknownType().get())) {
                    link.send(new ServerMessage.Refused("unknown_message_type", "This server does not know message type '"
                            + e.unknownType().get() + "'; it was ignored (and will be without further answers on this connection)."));
                }
                return;
            }
            refuse(link, "malformed_frame", e.getMessage());
            return;
        }
        if (!link.helloReceived() && !(message instanceof AgentMessage.Hello)) {
            refuse(link, "hello_required", "The first frame must be a hello carrying the agent's inventory.");
            return;
        }
        UUID agentId = link.agentId();
        try {
            switch (message) {
                case AgentMessage.Hello hello -> onHello(link, hello);
                case AgentMessage.Heartbeat ignored -> registry.touch(agentId, clock.instant());
                case AgentMessage.InventoryReport report -> {
                    if (report.inventory() == null) {
                        refuse(link, "invalid_message", "inventory is required");
                        return;
                    }
                    agents.recordInventory(agentId, report.inventory());
                    registry.touch(agentId, clock.instant());
                }
                case AgentMessage.CommandStarted started -> {
                    if (started.commandId() == null) {
                        refuse(link, "invalid_message", "command_started needs command_id");
                        return;
                    }
                    commands.onStarted(agentId, started.commandId(), started.startedAt());
                    registry.touch(agentId, clock.instant());
                }
                case AgentMessage.CommandResult result -> {
                    if (result.commandId() == null) {
                        refuse(link, "invalid_message", "command_result needs command_id");
                        return;
                    }
                    commands.onResult(agentId, result);
                    // Acknowledge only after the result is durably stored.
                    link.send(new ServerMessage.ResultAck(result.commandId()));
                    registry.touch(agentId, clock.instant());
                }
                case AgentMessage.SystemInventoryReport report -> {
                    systemInventory.receive(agentId, report).ifPresent(problem -> refuse(link, "invalid_inventory", problem));
                    registry.touch(agentId, clock.instant());
                }
                case AgentMessage.AgentEvents events -> {
                    var service = agentEvents;
                    if (service == null) {
                        refuse(link, "invalid_message", "This server does not store agent events.");
                        return;
                    }
                    // Acknowledged only once stored, so a lost ack means the agent sends them again (stored once).
                    service.onEvents(agentId, events, keys -> link.send(new ServerMessage.EventsAck(keys)))
                            .ifPresent(problem -> refuse(link, "invalid_message", problem));
                    registry.touch(agentId, clock.instant());
                }
                case AgentMessage.CheckResults results -> {
                    AgentChecks hook = checks;
                    if (hook != null) {
                        // Acknowledge only what is stored: the agent resends the rest after a reconnect.
                        link.send(new ServerMessage.CheckResultsAck(hook.onResults(agentId, results)));
                    }
                    registry.touch(agentId, clock.instant());
                }
                case AgentMessage.MetricsReport report -> {
                    if (report.batchId() == null || report.samples() == null) {
                        refuse(link, "invalid_message", "metrics_report needs batch_id and samples");
                        return;
                    }
                    if (report.samples().size() > com.gururmm.protocol.wire.MetricSample.MAX_PER_BATCH) {
                        refuse(link, "invalid_message", "metrics_report carries " + report.samples().size() + " samples; at most "
                                + com.gururmm.protocol.wire.MetricSample.MAX_PER_BATCH + " per batch");
                        return;
                    }
                    com.gururmm.server.metrics.MetricsService service = metrics;
                    // Acknowledged only after the samples are stored.
                    link.send(service == null ? new ServerMessage.MetricsAck(report.batchId(), 0, 0, report.samples().size(),
                            "this server does not store metrics") : service.ingest(agentId, report));
                    registry.touch(agentId, clock.instant());
                }
                case AgentMessage.CommandOutput chunk -> {
                    com.gururmm.server.command.OutputService service = commandOutput;
                    // Not acknowledged: a live view, the result is the record (docs/PROTOCOL.md).
                    if (service != null) {
                        service.onChunk(agentId, chunk).ifPresent(problem -> refuse(link, "invalid_message", problem));
                    }
                    registry.touch(agentId, clock.instant());
                }
                case AgentMessage.FileReady m -> files.accept(agentId, m);
                case AgentMessage.FileData m -> files.accept(agentId, m);
                case AgentMessage.FileChunkAck m -> files.accept(agentId, m);
                case AgentMessage.FileDone m -> files.accept(agentId, m);
                case AgentMessage.FileError m -> files.accept(agentId, m);
                case AgentMessage.UpdateStatus status -> {
                    if (updates != null) {
                        updates.onStatus(agentId, status).ifPresent(problem -> refuse(link, "invalid_message", problem));
                    }
                    registry.touch(agentId, clock.instant());
                }
            }
        } catch (RuntimeException e) {
            // Nothing is acknowledged, so the agent keeps the frame's content and resends it.
            log.error("could not handle {} from agent {}", message.getClass().getSimpleName(), agentId, e);
            countRefused("server_error");
            link.send(new ServerMessage.Refused("server_error", "The server could not process the frame; it will be resent."));
        }
    }

    private void onHello(SocketLink link, AgentMessage.Hello hello) {
        int version = hello.protocolVersion();
        if (protocols.tooNew(version)) {
            refuse(link, "unsupported_protocol", "This agent speaks protocol version " + version + ", newer than this server, which speaks "
                    + protocols + ". Upgrade the server first: it updates its agents, never the other way round.");
            link.close("protocol version newer than the server");
            return;
        }
        if (protocols.tooOld(version)) {
            refuseOutdated(link, hello);
            return;
        }
        if (hello.inventory() == null) {
            refuse(link, "invalid_message", "hello needs an inventory");
            return;
        }
        agents.recordInventory(link.agentId(), hello.inventory());
        link.markHelloReceived();
        registry.register(link, clock.instant());
        // Retired between the credential check at upgrade and now: the retirement found no link to close.
        if (agents.isRetired(link.agentId())) {
            registry.disconnect(link.agentId(), "agent retired by an admin");
            return;
        }
        link.send(new ServerMessage.Welcome(protocols.choose(version).orElseThrow(), link.agentId(), clock.instant(), (int) heartbeat.toSeconds()));
        log.info("agent {} connected ({} {} {})", link.agentId(), hello.inventory().hostname(), hello.inventory().os(),
                hello.inventory().agentVersion());
        commands.dispatchPending(link.agentId());
        AgentChecks hook = checks;
        if (hook != null) {
            hook.onConnected(link.agentId());
        }
        if (updates != null) {
            updates.onAgentConnected(link.agentId());
        }
    }

    /**
     * An agent too old to be served is offered its update over this connection first (the
     * bootstrap frames hello, update_offer and refused never change shape), then refused and
     * closed. It is never registered, so no command reaches it; its updater downloads the build
     * over HTTP with its own credential, and the new version is welcomed when it reconnects.
     */
    private void refuseOutdated(SocketLink link, AgentMessage.Hello hello) {
        // Its inventory is not recorded: an older agent may lack fields this server would fill
        // with defaults (its channel, say). The stored row (enrollment, last welcome) decides the offer.
        Optional<ServerMessage.UpdateOffer> offer = updates == null ? Optional.empty() : updates.offerToOutdated(link);
        String next = offer.map(o -> "It was offered " + o.file() + " to update itself; it reconnects once it runs that build.")
                .orElse("No newer agent build for its platform and channel is published: publish one (docs/RELEASES.md) or reinstall the agent.");
        log.warn("agent {} speaks protocol version {}, older than the {} this server speaks. {}", link.agentId(), hello.protocolVersion(),
                protocols, next);
        refuse(link, "unsupported_protocol", "This agent speaks protocol version " + hello.protocolVersion() + "; this server speaks "
                + protocols + ". " + next);
        link.close("protocol version too old; update the agent");
    }

    private void countRefused(String code) {
        Meters m = meters;
        if (m != null) {
            m.frameRefused(code);
        }
    }

    /** Binary frames are not part of the protocol; up to this size they are refused, past it the connection closes (1009). */
    static final int MAX_BINARY_FRAME_BYTES = 64 * 1024;

    private void refuse(SocketLink link, String code, String message) {
        log.info("refused frame from agent {}: {}", link.agentId(), message);
        countRefused(code);
        link.send(new ServerMessage.Refused(code, message));
        if (link.countBadFrame() > MAX_BAD_FRAMES) {
            link.close("too many invalid frames");
        }
    }
}

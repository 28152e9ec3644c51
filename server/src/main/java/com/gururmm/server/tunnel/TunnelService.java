package com.gururmm.server.tunnel;

import com.gururmm.protocol.ExecutionContext;
import com.gururmm.protocol.api.Tunnel.SessionRequest;
import com.gururmm.protocol.api.Tunnel.SessionView;
import com.gururmm.protocol.api.Tunnel.Ticket;
import com.gururmm.protocol.tunnel.TunnelControl;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.server.agent.AgentRow;
import com.gururmm.server.agent.AgentService;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.cluster.OnOtherNode;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.routing.AccessFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rules of interactive shells: who may open one (technician and up, the agent's scope rule on
 * top, so the server host's own agent is admin-only), on which agent (connected to this node,
 * under its session limit), who may attach (the creator or an admin), when a session ends
 * (exit, close, idle, maximum length, no client for the reattach grace) and what is kept
 * (an audit entry at start and end, the session row, the recording under its retention).
 *
 * <p>In a cluster a session lives on the node holding the agent's connection, and its
 * recording stays on that node's disk. A request for it that reaches another node (the open,
 * a ticket, a close, the recording, either socket) is passed on there ({@link OnOtherNode}).
 *
 * <p>Opening is synchronous: the POST returns once the agent reports the shell running, or
 * refuses with the agent's reason; a session that did not start is ended and recorded as
 * {@code failed}, never left half-open.
 */
public final class TunnelService {
    private static final Logger log = LoggerFactory.getLogger(TunnelService.class);
    static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    static final Duration TICKET_TTL = Duration.ofSeconds(30);
    /** An ended session stays in memory this long, so a client that lost the exit frame reattaches to read it. */
    private static final Duration ENDED_LINGER = Duration.ofSeconds(60);

    private final TunnelSettings settings;
    private final TunnelStore store;
    private final AgentService agents;
    private final ConnectionRegistry registry;
    private final AccessFilter.AgentScope scope;
    private final AuditLog audit;
    private final Clock clock;
    private final Path recordingsDir;
    /** This node: the holder of the sessions opened here and the keeper of their recordings. */
    private final String node;
    private final Map<UUID, TunnelSession> live = new ConcurrentHashMap<>();
    private final Map<UUID, Instant> endedAt = new ConcurrentHashMap<>();
    private final Map<String, TicketGrant> tickets = new ConcurrentHashMap<>();
    /** Sweeps run (one a second): every tenth also checks this node's live sessions against their rows. */
    private long sweeps;
    private final SecureRandom random = new SecureRandom();

    record TicketGrant(UUID sessionId, Principal principal, String authorization, Instant expiresAt) {
    }

    public TunnelService(TunnelSettings settings, org.jdbi.v3.core.Jdbi jdbi, AgentService agents, ConnectionRegistry registry,
                         AccessFilter.AgentScope scope, AuditLog audit, Clock clock, Path dataDir, String node) {
        this.settings = settings;
        this.store = new TunnelStore(jdbi);
        this.agents = agents;
        this.registry = registry;
        this.scope = scope;
        this.audit = audit;
        this.clock = clock;
        this.recordingsDir = dataDir.resolve("tunnel-recordings");
        this.node = node;
        int abandoned = store.endAbandoned(node, clock.instant());
        if (abandoned > 0) {
            log.info("{} tunnel session(s) were open when the server last stopped; marked ended", abandoned);
        }
    }

    public TunnelSettings settings() {
        return settings;
    }

    // ---- open -------------------------------------------------------------------------------

    /**
     * @param authorization the request's {@code Authorization} header: the ticket it returns carries
     *                      it, so the socket attached with the ticket is re-checked with it (a logout,
     *                      a disabled account, a lost role or scope ends the shell)
     */
    public SessionView open(Principal actor, String authorization, SessionRequest request) {
        if (request.agentId() == null) {
            throw ApiException.badRequest("agent_id is required: the id of the agent to open a shell on.");
        }
        if (request.cols() == null || request.rows() == null) {
            throw ApiException.badRequest("cols and rows are required: the terminal's size in characters (1 to 1000 each).");
        }
        String sizeProblem = TunnelControl.sizeProblem(request.cols(), request.rows());
        if (sizeProblem != null) {
            throw ApiException.badRequest(sizeProblem);
        }
        ExecutionContext context = request.context() == null ? ExecutionContext.SYSTEM : ExecutionContext.parse(request.context())
                .orElseThrow(() -> ApiException.badRequest("context must be system or user_session; got '" + request.context() + "'."));
        AgentRow agent = agents.requireActive(request.agentId());
        scope.check(actor, agent.id());
        if (!registry.isOnline(agent.id())) {
            registry.otherNodeHolding(agent.id()).ifPresent(other -> {
                throw new OnOtherNode(other, "agent_on_other_node", "Agent " + agent.hostname() + " is connected to node " + other
                        + " of the cluster, not this one: a shell runs on the node holding the agent's connection, and this"
                        + " request was already passed on once. Send it to " + other + " (docs/OPERATIONS.md, \"Cluster\").");
            });
            throw new ApiException(409, "agent_offline", "Agent " + agent.id() + " (" + agent.hostname()
                    + ") is offline: a shell needs the agent connected to this server. Try again once it is online.");
        }
        long open = live.values().stream().filter(s -> s.agentId.equals(agent.id()) && s.state() != TunnelSession.State.ENDED).count();
        if (open >= settings.maxPerAgent()) {
            throw new ApiException(429, "too_many_sessions", "Agent " + agent.hostname() + " already has " + open
                    + " open shell(s), the limit (GURURMM_TUNNEL_MAX_PER_AGENT=" + settings.maxPerAgent() + "); close one first.");
        }
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        Recording recording = settings.recording()
                ? Recording.start(recordingsDir.resolve(id + ".cast"), request.cols(), request.rows(), now,
                        agent.hostname() + " (" + actor.name() + ")", settings.recordingMaxBytes())
                : null;
        TunnelSession session = new TunnelSession(id, agent.id(), actor, agent.hostname(), context.wireName(), request.cols(), request.rows(),
                settings.windowBytes(), now, recording, this::onEnded);
        store.insert(new TunnelStore.Row(id, agent.id(), actor.userId(), actor.name(), context.wireName(), request.cols(), request.rows(),
                "starting", now, null, null, null, 0, 0, recording == null ? null : recording.file().getFileName().toString(), null, node));
        live.put(id, session);
        boolean sent = registry.send(agent.id(), new ServerMessage.TunnelOpen(id, context.wireName(), request.cols(), request.rows(),
                settings.windowBytes(), (int) settings.maxLength().toSeconds()));
        if (!sent) {
            session.end(null, "the agent went offline before the shell started");
            throw new ApiException(409, "agent_offline", "Agent " + agent.hostname() + " went offline before the shell started.");
        }
        TunnelControl.Ready ready;
        try {
            ready = session.ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            session.end(null, "the agent did not start the shell within " + START_TIMEOUT.toSeconds() + " s");
            registry.send(agent.id(), new ServerMessage.TunnelClose(id, "start timed out"));
            throw ApiException.unavailable("Agent " + agent.hostname() + " did not start the shell within " + START_TIMEOUT.toSeconds()
                    + " s (an agent older than the tunnel feature ignores the request); nothing is left open.");
        } catch (ExecutionException e) {
            String why = e.getCause() == null ? "unknown" : e.getCause().getMessage();
            throw new ApiException(409, "shell_refused", "Agent " + agent.hostname() + " could not start the shell: " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            session.end(null, "interrupted");
            throw ApiException.unavailable("interrupted while waiting for the agent");
        }
        store.opened(id, ready.tty());
        audit.record(actor.name(), "tunnel.start", id.toString(), "agent=" + agent.id() + " hostname=" + agent.hostname()
                + " context=" + context.wireName() + " size=" + request.cols() + "x" + request.rows() + " tty=" + ready.tty()
                + " recording=" + (recording != null));
        log.info("tunnel session {} opened by {} on agent {} ({})", id, actor.name(), agent.id(), agent.hostname());
        Ticket ticket = ticket(actor, authorization, id);
        return view(session).withTicket(ticket.ticket(), ticket.expiresAt());
    }

    private void onEnded(TunnelSession session) {
        TunnelSession.Snapshot s = session.snapshot();
        boolean started = s.tty() != null;
        endedAt.put(session.id, clock.instant());
        try {
            store.ended(session.id, started ? "ended" : "failed", clock.instant(), s.exitCode(), s.endReason(), s.outputSeq(), s.inputSeq(),
                    s.cols(), s.rows(), session.recording() == null ? null : session.recording().file().getFileName().toString());
            if (started) {
                long seconds = Duration.between(session.createdAt, clock.instant()).toSeconds();
                audit.record(session.creator.name(), "tunnel.end", session.id.toString(), "agent=" + session.agentId + " hostname="
                        + session.hostname + " duration_seconds=" + seconds + " exit_code=" + s.exitCode() + " reason=" + s.endReason()
                        + " bytes_out=" + s.outputSeq() + " bytes_in=" + s.inputSeq());
            } else {
                audit.record(session.creator.name(), "tunnel.failed", session.id.toString(), "agent=" + session.agentId + " hostname="
                        + session.hostname + " reason=" + s.endReason());
                deleteRecording(session);
            }
        } catch (RuntimeException e) {
            log.error("could not record the end of tunnel session {}: {}", session.id, e.toString());
        }
        log.info("tunnel session {} ended: {}", session.id, s.endReason());
    }

    private void deleteRecording(TunnelSession session) {
        if (session.recording() != null) {
            try {
                Files.deleteIfExists(session.recording().file());
            } catch (IOException ignored) {
                // retention removes it later
            }
        }
    }

    // ---- attach -------------------------------------------------------------------------

    /** A session the caller may attach to or read; 404 if unknown, 403 if someone else's. */
    TunnelSession attachable(Principal principal, UUID id) {
        TunnelSession session = live.get(id);
        if (session == null) {
            Optional<TunnelStore.Row> row = store.find(id);
            if (row.isPresent()) {
                heldElsewhere(row.get()).ifPresent(other -> {
                    throw onOtherNode(id, other);
                });
                throw new ApiException(410, "session_ended", "Tunnel session " + id + " has ended; open a new one.");
            }
            throw ApiException.notFound("tunnel session", id);
        }
        requireOwner(principal, session.creator.userId(), id);
        scope.check(principal, session.agentId);
        return session;
    }

    private static void requireOwner(Principal principal, UUID creator, UUID id) {
        if (!principal.role().includes(Role.ADMIN) && !principal.userId().equals(creator)) {
            throw ApiException.forbidden("Tunnel session " + id + " belongs to another user; only its creator or an admin may use it.");
        }
    }

    /** A single-use ticket for one WebSocket upgrade (browsers cannot send Authorization on a WebSocket). */
    public Ticket ticket(Principal principal, String authorization, UUID id) {
        attachable(principal, id);
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant expires = clock.instant().plus(TICKET_TTL);
        tickets.put(value, new TicketGrant(id, principal, authorization, expires));
        return new Ticket(value, expires, websocketPath(id));
    }

    /** Redeems a ticket for {@code id}: once, before it expires; the grant names the credential it was minted with. */
    TicketGrant redeem(String ticket, UUID id) {
        TicketGrant grant = ticket == null ? null : tickets.remove(ticket);
        if (grant == null || !grant.sessionId().equals(id) || clock.instant().isAfter(grant.expiresAt())) {
            throw ApiException.unauthorized("The tunnel ticket is unknown, used, expired or for another session; get a new one with "
                    + "POST /api/v1/tunnel/sessions/" + id + "/ticket.");
        }
        return grant;
    }

    /** For the agent's socket: the session waiting for agent {@code agentId}. */
    TunnelSession forAgent(UUID agentId, UUID id) {
        TunnelSession session = live.get(id);
        if (session == null || !session.agentId.equals(agentId)) {
            throw ApiException.notFound("tunnel session", id);
        }
        return session;
    }

    /**
     * The node that holds session {@code id}, when it is live on another node: a socket for it
     * that reached this node is passed on there. Empty when it is here, ended, or unknown.
     */
    Optional<OnOtherNode> elsewhere(UUID id) {
        if (live.containsKey(id)) {
            return Optional.empty();
        }
        return store.find(id).flatMap(this::heldElsewhere).map(other -> onOtherNode(id, other));
    }

    /** The other node holding a session that has not ended. */
    private Optional<String> heldElsewhere(TunnelStore.Row row) {
        return row.endedAt() == null && row.node() != null && !row.node().equals(node) ? Optional.of(row.node()) : Optional.empty();
    }

    private static OnOtherNode onOtherNode(UUID id, String other) {
        return new OnOtherNode(other, "session_on_other_node", "Tunnel session " + id + " is held by node " + other
                + " of the cluster, not this one, and this request was already passed on once. Send it to " + other
                + " (docs/OPERATIONS.md, \"Cluster\").");
    }

    public void close(Principal principal, UUID id) {
        TunnelSession session = attachable(principal, id);
        session.end(null, "closed by " + principal.name());
    }

    // ---- reads --------------------------------------------------------------------------

    public List<SessionView> list(Principal principal, UUID agentId, int limit) {
        UUID only = principal.role().includes(Role.ADMIN) ? null : principal.userId();
        return store.list(only, agentId, limit).stream().map(row -> {
            TunnelSession session = live.get(row.id());
            return session != null && session.state() != TunnelSession.State.ENDED ? view(session) : view(row);
        }).toList();
    }

    /** The asciicast file of a session the caller may read. */
    public Path recording(Principal principal, UUID id) {
        TunnelStore.Row row = store.find(id).orElseThrow(() -> ApiException.notFound("tunnel session", id));
        requireOwner(principal, row.userId(), id);
        if (row.recordingFile() == null) {
            throw ApiException.notFound("recording of tunnel session", id);
        }
        Path file = recordingsDir.resolve(row.recordingFile()).normalize();
        if (!file.startsWith(recordingsDir)) {
            throw ApiException.notFound("recording of tunnel session", id);
        }
        if (Files.isRegularFile(file)) {
            return file; // here, whatever name this node had when it recorded it
        }
        if (row.node() != null && !row.node().equals(node)) {
            // The transcript is a file on the disk of the node that held the session.
            throw new OnOtherNode(row.node(), "session_on_other_node", "The recording of tunnel session " + id + " is kept by node "
                    + row.node() + " of the cluster, and this request was already passed on once. Send it to " + row.node() + ".");
        }
        throw ApiException.notFound("recording of tunnel session", id);
    }

    private SessionView view(TunnelSession session) {
        TunnelSession.Snapshot s = session.snapshot();
        return new SessionView(session.id, session.agentId, session.hostname, session.context, s.cols(), s.rows(), session.creator.name(),
                s.state().name().toLowerCase(java.util.Locale.ROOT), session.createdAt, s.endedAt(), s.exitCode(), s.endReason(),
                s.outputSeq(), s.inputSeq(), session.recording() != null, websocketPath(session.id), null, null, s.tty());
    }

    private static SessionView view(TunnelStore.Row row) {
        return new SessionView(row.id(), row.agentId(), null, row.context(), row.cols(), row.rows(), row.userName(), row.state(),
                row.createdAt(), row.endedAt(), row.exitCode(), row.endReason(), row.bytesOut(), row.bytesIn(), row.recordingFile() != null,
                websocketPath(row.id()), null, null, row.tty());
    }

    static String websocketPath(UUID id) {
        return "/api/v1/tunnel/sessions/" + id;
    }

    /** Live-state numbers for tests and diagnostics: bytes held in replay buffers now. */
    public long bufferedBytes() {
        return live.values().stream().mapToLong(s -> s.snapshot().bufferedBytes()).sum();
    }

    // ---- background -----------------------------------------------------------------------

    /** Every second: idle, maximum length, reattach grace, start timeout; forgets lingering ended sessions and stale tickets. */
    public void sweep() {
        Instant now = clock.instant();
        if (++sweeps % 10 == 0) {
            reopenIfOrphaned();
        }
        for (TunnelSession session : live.values()) {
            TunnelSession.State state = session.state();
            if (state == TunnelSession.State.ENDED) {
                Instant ended = endedAt.get(session.id);
                if (ended != null && now.isAfter(ended.plus(ENDED_LINGER))) {
                    live.remove(session.id);
                    endedAt.remove(session.id);
                }
                continue;
            }
            if (state == TunnelSession.State.OPEN && session.idleNanos() > settings.idleTimeout().toNanos()) {
                session.end(null, "idle for " + settings.idleTimeout().toSeconds() + " s (GURURMM_TUNNEL_IDLE_SECONDS)");
            } else if (now.isAfter(session.createdAt.plus(settings.maxLength()))) {
                session.end(null, "reached the maximum session length of " + settings.maxLength().toSeconds() + " s (GURURMM_TUNNEL_MAX_SECONDS)");
            } else if (state == TunnelSession.State.OPEN && session.detachedNanos() > settings.reattachGrace().toNanos()) {
                session.end(null, "no client attached for " + settings.reattachGrace().toSeconds() + " s (GURURMM_TUNNEL_REATTACH_SECONDS)");
            }
        }
        tickets.values().removeIf(t -> now.isAfter(t.expiresAt()));
    }

    /**
     * Deletes the recordings on this node's disk past their retention (the session rows stay,
     * without the file). Every node prunes its own disk, by the files it has: its name may have
     * changed since it recorded them (a derived host:port), and another node's are not here. A
     * row of this node whose file is gone is forgotten too.
     */
    public void pruneRecordings() {
        for (TunnelStore.Row row : store.recordingsEndedBefore(clock.instant().minus(settings.recordingRetention()))) {
            Path file = recordingsDir.resolve(row.recordingFile()).normalize();
            if (!file.startsWith(recordingsDir) || (!Files.exists(file) && !node.equals(row.node()))) {
                continue; // another node's to prune (or a row from before nodes were recorded, whose file is elsewhere)
            }
            try {
                Files.deleteIfExists(file);
                store.forgetRecording(row.id());
                log.info("deleted the recording of tunnel session {} (older than {} days)", row.id(), settings.recordingRetention().toDays());
            } catch (IOException | RuntimeException e) {
                log.warn("could not delete the recording of tunnel session {}: {}", row.id(), e.toString());
            }
        }
    }

    /**
     * A node paused past the lease time is swept from the cluster, and its sessions are marked
     * ended ({@link #endOrphaned}) though they still run here: once it is back, its rows say open
     * again, so requests through other nodes reach them.
     */
    private void reopenIfOrphaned() {
        List<UUID> open = live.values().stream().filter(s -> s.state() != TunnelSession.State.ENDED).map(s -> s.id).toList();
        int reopened = store.reopenOrphaned(node, open);
        if (reopened > 0) {
            log.warn("{} tunnel session(s) of this node had been marked ended while it was taken for dead; open again", reopened);
        }
    }

    /** Marks ended the sessions of nodes that left the cluster (a dead node's are never ended by it). */
    public void endOrphaned() {
        int ended = store.endOrphaned(clock.instant());
        if (ended > 0) {
            log.info("{} tunnel session(s) of nodes that left the cluster marked ended", ended);
        }
    }

    public void closeAll(String reason) {
        live.values().forEach(s -> s.end(null, reason));
    }
}

package com.gururmm.server.command;

import com.gururmm.protocol.CommandStatus;
import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import com.gururmm.protocol.FileSystemView;
import com.gururmm.protocol.api.Agents.HeldCommandsResult;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandSubmitted;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.server.agent.AgentRow;
import com.gururmm.server.agent.AgentService;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.events.CommandStatusChanged;
import com.gururmm.server.events.EventBus;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.observability.LogContext;
import com.gururmm.server.observability.Meters;
import com.gururmm.server.routing.AccessFilter.AgentScope;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands from submission to result.
 *
 * <p>Delivery: a command is stored {@code queued}, then pushed down the agent's connection if
 * it is online (becoming {@code running}), or when the agent next connects. A command sent but
 * never reported started is sent again on reconnect; the agent keeps a journal of the ids it
 * has started and never runs one twice, so redelivery is safe.
 *
 * <p>Termination: every command leaves {@code queued}/{@code running}. Queued ones expire after
 * the queue TTL; running ones fail as "agent lost" at dispatch + timeout + grace, unless the
 * agent's result arrives (a late genuine result still replaces the server's verdict).
 *
 * <p>Re-enrolment: when a known machine enrolls again, what its previous identity never started
 * is {@code held} (see {@code AgentService}); held commands are sent to no one and never expire
 * unseen. An admin releases them (queued again, delivered once) or discards them (cancelled).
 */
public final class CommandService {
    private static final Logger log = LoggerFactory.getLogger(CommandService.class);
    public static final int MAX_SCRIPT_BYTES = 1024 * 1024;
    public static final int DEFAULT_TIMEOUT_SECONDS = 300;
    public static final int MAX_TIMEOUT_SECONDS = 24 * 3600;

    private final CommandStore store;
    /** Results of all agents, stored many to a transaction (group commit), each acknowledged after its commit. */
    private final ResultWriter results;
    private final AgentService agents;
    private final ConnectionRegistry registry;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration queueTtl;
    private final Duration lostGrace;
    private final AgentScope scope;
    private volatile Meters meters;
    private final EventBus bus;
    private final String node;

    /**
     * @param scope who may act on which agent (the server host's agent is admin-only); also applied to cancels
     * @param bus   where every committed status change is published ({@link CommandStatusChanged})
     * @param node  this server node's name, carried by those events
     */
    public CommandService(CommandStore store, AgentService agents, ConnectionRegistry registry, AuditLog audit, Clock clock,
                          Duration queueTtl, Duration lostGrace, AgentScope scope, EventBus bus, String node) {
        this.scope = scope;
        this.bus = bus;
        this.node = node;
        this.store = store;
        this.results = new ResultWriter(store);
        this.agents = agents;
        this.registry = registry;
        this.audit = audit;
        this.clock = clock;
        this.queueTtl = queueTtl;
        this.lostGrace = lostGrace;
    }

    /** Set once while wiring: dispatch-to-result latency is recorded there. */
    public void meters(Meters meters) {
        this.meters = meters;
    }

    /** What a valid request resolves to; see {@link #validate}. */
    /** {@code requestedView}: null for the default (host), {@code sandbox} when asked for. */
    private record Checked(CommandType type, ExecutionContext context, int bytes, int timeout, String requestedView) {
    }

    /**
     * Checks a request without creating anything: bulk submission validates once before it
     * touches any agent, so bad input never leaves a half-created batch.
     */
    public void validate(CommandRequest request) {
        check(request);
    }

    public CommandSubmitted submit(Principal actor, UUID agentId, CommandRequest request) {
        Checked checked = check(request);
        AgentRow agent = agents.requireActive(agentId);
        CommandRow row = newRow(actor, agentId, agent.os(), request, checked);
        try (var ignored = LogContext.command(row.id()); var ignoredAgent = LogContext.agent(agentId)) {
            // The row and its audit entry commit together: one commit on the submit path, and never one without the other.
            store.insert(row, h -> audit.record(h, actor.name(), "command.create", row.id().toString(), "agent=" + agentId
                    + " type=" + row.commandType() + " context=" + row.context() + " bytes=" + checked.bytes()));
            published(row.id(), agentId, row.status(), row.createdAt());
            log.info("command {} ({}) created for agent {} by {}: {}", row.id(), row.commandType(), agentId, actor.name(), row.status());
            if (row.status().equals("running")) {
                dispatch(row, true);
            } else if (row.status().equals("queued") && registry.isOnline(agentId)) {
                // The agent connected between the online check and the insert, and its connect-time
                // scan may have missed this row: deliver now (the conditional claim keeps it to one send).
                dispatch(row, false);
            }
            return new CommandSubmitted(row.id(), row.status());
        }
    }

    /**
     * A new command's row. For an agent online now it is stored already running (dispatched, with
     * its deadline) and then sent: the state queued-then-markDispatched reaches, one statement
     * cheaper. If the link drops before the send, the row is running with no started_at, which is
     * exactly what reconnect redelivery and the sweeper already handle. Else queued, or failed
     * when the agent's OS cannot run the command type.
     */
    private CommandRow newRow(Principal actor, UUID agentId, String agentOs, CommandRequest request, Checked checked) {
        Instant now = clock.instant();
        String unsupported = unsupportedReason(checked.type(), agentOs);
        boolean sendNow = unsupported == null && registry.isOnline(agentId);
        String status = unsupported != null ? "failed" : sendNow ? "running" : "queued";
        return new CommandRow(UUID.randomUUID(), agentId, checked.type().wireName(), request.command(), checked.context().wireName(),
                checked.timeout(), status, null, null, unsupported, false, false, unsupported, false,
                actor.name(), now, now.plus(queueTtl), sendNow ? now : null, sendNow ? deadline(now, checked.timeout()) : null,
                null, unsupported == null ? null : now, null, null, null, checked.requestedView(), null);
    }

    /** The stored form of a validated request's view: {@code sandbox}, or null for the default (host). */
    private static String requestedView(CommandRequest request) {
        return FileSystemView.SANDBOX.wireName().equals(request.view()) ? FileSystemView.SANDBOX.wireName() : null;
    }

    private static Checked check(CommandRequest request) {
        CommandType type = CommandType.parse(request.commandType()).orElseThrow(() -> ApiException.badRequest(
                request.commandType() == null ? "Field 'command_type' is required; one of " + CommandType.allowedValues() + "."
                        : "Unknown command_type '" + request.commandType() + "'; use one of " + CommandType.allowedValues() + "."));
        ExecutionContext context = request.context() == null ? ExecutionContext.SYSTEM
                : ExecutionContext.parse(request.context()).orElseThrow(() -> ApiException.badRequest(
                "Unknown context '" + request.context() + "'; use system or user_session."));
        if (request.command() == null || request.command().isBlank()) {
            throw ApiException.badRequest("Field 'command' is required: the script text to run.");
        }
        int bytes = request.command().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SCRIPT_BYTES) {
            throw ApiException.tooLarge("The script is " + bytes + " bytes; the limit is " + MAX_SCRIPT_BYTES + " bytes (1 MiB). Upload large payloads separately and have a short script fetch them.");
        }
        int timeout = request.timeoutSeconds() == null ? DEFAULT_TIMEOUT_SECONDS : request.timeoutSeconds();
        if (timeout < 1 || timeout > MAX_TIMEOUT_SECONDS) {
            throw ApiException.badRequest("'timeout_seconds' must be between 1 and " + MAX_TIMEOUT_SECONDS + " (24 h); got " + timeout + ".");
        }
        FileSystemView.parse(request.view() == null ? FileSystemView.HOST.wireName() : request.view())
                .orElseThrow(() -> ApiException.badRequest(
                "Unknown view '" + request.view() + "'; use host (the default: the command sees the host's file system) or sandbox (it stays inside the agent's restricted mount namespace)."));
        return new Checked(type, context, bytes, timeout, requestedView(request));
    }

    /** Sends the agent everything it should have: called when it connects. */
    public void dispatchPending(UUID agentId) {
        for (CommandRow row : store.pendingFor(agentId)) {
            dispatch(row);
        }
        // A cancel made while the agent was away never reached it: a process may still be running.
        for (UUID cancelled : store.cancelledWithoutResult(agentId)) {
            registry.send(agentId, new ServerMessage.CancelCommand(cancelled));
        }
    }

    private void dispatch(CommandRow row) {
        dispatch(row, false);
    }

    /**
     * Sends a command to its agent if it is online and the command still wants sending. Every
     * send is claimed by a conditional update first, so a command that was cancelled or expired
     * since it was read, or that another thread is already sending, is not sent (again).
     * {@code justInserted} skips that claim for a row this thread created as running a moment ago.
     */
    private void dispatch(CommandRow row, boolean justInserted) {
        try (var ignored = LogContext.command(row.id()); var ignoredAgent = LogContext.agent(row.agentId())) {
            dispatchInContext(row, justInserted);
        }
    }

    private void dispatchInContext(CommandRow row, boolean justInserted) {
        if (!registry.isOnline(row.agentId())) {
            return;
        }
        Instant now = clock.instant();
        boolean claimed = justInserted
                || (row.status().equals("queued")
                        ? store.markDispatched(row.id(), now, deadline(now, row.timeoutSeconds()))
                        : store.markRedelivered(row.id(), now));
        if (!claimed) {
            return;
        }
        Meters m = meters;
        if (m != null) {
            m.commandDispatched(row.id());
        }
        if (row.status().equals("queued")) {
            published(row.id(), row.agentId(), "running", now);
        }
        registry.send(row.agentId(), new ServerMessage.RunCommand(row.id(), row.commandType(), row.commandText(),
                row.context(), row.timeoutSeconds(), envOf(row), row.requestedView()));
        log.debug("command {} sent to agent {}", row.id(), row.agentId());
    }

    private static Map<String, String> envOf(CommandRow row) {
        if (row.env() == null) {
            return Map.of();
        }
        try {
            return com.gururmm.protocol.Json.mapper().readValue(row.env(),
                    new com.fasterxml.jackson.core.type.TypeReference<java.util.TreeMap<String, String>>() {
                    });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Written by this server from a Map: unreadable means a damaged row, and running the
            // script without its parameters would be worse than not running it.
            throw new IllegalStateException("command " + row.id() + " has unreadable environment variables", e);
        }
    }

    /**
     * The transactional bulk path (a saved script's run, a scheduled occurrence): the row a
     * command for {@code agentId} gets, not yet stored. The caller inserts it with
     * {@link CommandStore#insert(org.jdbi.v3.core.Handle, CommandRow)} in its own transaction and,
     * once that commits, hands it to {@link #afterCommit}. Rows are {@code queued} (or
     * {@code failed} when the agent's OS cannot run the type), never sent before the commit: a
     * rolled-back occurrence has sent nothing.
     *
     * @param env       extra environment variables as a JSON object, or null
     * @param expiresAt when a queued command no one received expires; null = the usual queue TTL
     */
    public CommandRow queuedRow(Principal actor, UUID agentId, String agentOs, CommandRequest request, String env,
                                Instant expiresAt) {
        Checked checked = check(request);
        Instant now = clock.instant();
        String unsupported = unsupportedReason(checked.type(), agentOs);
        Instant expires = expiresAt == null ? now.plus(queueTtl) : expiresAt;
        return new CommandRow(UUID.randomUUID(), agentId, checked.type().wireName(), request.command(), checked.context().wireName(),
                checked.timeout(), unsupported != null ? "failed" : "queued", null, null, unsupported, false, false, unsupported,
                false, actor.name(), now, expires, null, null, null, unsupported == null ? null : now, null, null, env,
                checked.requestedView(), null);
    }

    /**
     * The bulk submit's row ({@code POST /api/commands}), as {@link #submit} makes one (running for
     * an agent online now, so delivering it after the commit needs no claiming update); the caller
     * stores it and calls {@link #afterCommit} once committed.
     */
    public CommandRow bulkRow(Principal actor, UUID agentId, String agentOs, Validated command) {
        return newRow(actor, agentId, agentOs, command.request, command.checked);
    }

    /** A request checked once for the many rows of a bulk submit ({@link #bulkRow}). */
    public static final class Validated {
        private final CommandRequest request;
        private final Checked checked;

        private Validated(CommandRequest request, Checked checked) {
            this.request = request;
            this.checked = checked;
        }
    }

    /** Checks {@code request} (400/413 as {@link #submit} would) for {@link #bulkRow}. */
    public Validated validated(CommandRequest request) {
        return new Validated(request, check(request));
    }

    /**
     * After the transaction holding rows made by {@link #bulkRow} or {@link #queuedRow} committed:
     * their events, and delivery: a running one is sent (this thread made it running), a queued one is sent if its
     * agent connected meanwhile (claimed, so its connect-time scan and this never both send it).
     */
    public void afterCommit(List<CommandRow> rows) {
        for (CommandRow row : rows) {
            published(row.id(), row.agentId(), row.status(), row.createdAt());
            try {
                if (row.status().equals("running")) {
                    dispatch(row, true);
                } else if (row.status().equals("queued")) {
                    dispatch(row);
                }
            } catch (RuntimeException e) {
                // Stored: a running one is redelivered when its agent reconnects, a queued one when it connects.
                log.warn("command {} is stored but could not be sent now: {}", row.id(), e.toString());
            }
        }
    }

    public void onStarted(UUID agentId, UUID commandId, Instant startedAt) {
        try (var ignored = LogContext.command(commandId)) {
            started(agentId, commandId, startedAt);
        }
    }

    private void started(UUID agentId, UUID commandId, Instant startedAt) {
        Instant now = clock.instant();
        Instant started = notAfter(startedAt == null ? now : startedAt, now);
        // Normally the command was dispatched and already has its deadline: one UPDATE, no read.
        if (store.markStartedKeepingDeadline(agentId, commandId, started, now)) {
            return;
        }
        int timeout = store.find(commandId).map(CommandRow::timeoutSeconds).orElse(DEFAULT_TIMEOUT_SECONDS);
        store.markStarted(agentId, commandId, started, now, deadline(now, timeout));
    }

    /**
     * Agent clocks are not trusted: a reported time is capped at the server's clock here, and
     * the store keeps it after the command's creation (and a completion after the start).
     */
    private static Instant notAfter(Instant reported, Instant now) {
        return reported != null && reported.isAfter(now) ? now : reported;
    }

    /**
     * Stores a result idempotently. Always returns normally so the caller acknowledges: a
     * duplicate is acknowledged again, and a result for a command that is not this agent's is
     * acknowledged without effect (so a confused agent does not resend it forever).
     */
    /** Stops the result writer (server shutdown). */
    public void close() {
        results.close();
    }

    public void onResult(UUID agentId, CommandResult result) {
        try (var ignored = LogContext.command(result.commandId())) {
            result(agentId, result);
        }
    }

    private void result(UUID agentId, CommandResult result) {
        CommandStatus status = CommandStatus.parse(result.status()).filter(CommandStatus::isTerminal).orElse(null);
        if (status == null) {
            log.warn("agent {} sent result for {} with status '{}'; storing it as failed", agentId, result.commandId(), result.status());
            status = CommandStatus.FAILED;
        }
        Instant now = clock.instant();
        CommandResult clipped = clip(result, now);
        boolean stored;
        String storedStatus = status.wireName();
        try {
            stored = results.store(agentId, clipped, status.wireName(), now);
        } catch (UnableToExecuteStatementException e) {
            if (!isPermanent(e)) {
                throw e; // the database is away or busy: unacknowledged, the agent sends it again
            }
            // The same result would fail the same way every time: acknowledging nothing would make
            // the agent resend it forever and the command end "agent lost". Record why instead.
            log.error("result for {} from agent {} cannot be stored; the command is marked failed", result.commandId(), agentId, e);
            storedStatus = "failed";
            stored = store.failByServer(result.commandId(),
                    "the agent's result could not be stored: " + withoutNul(rootMessage(e)), now);
        }
        if (!stored) {
            log.debug("result for {} from agent {} was a duplicate or not its command", result.commandId(), agentId);
            return;
        }
        log.info("command {} finished on agent {}: {}", result.commandId(), agentId, storedStatus);
        Meters m = meters;
        if (m != null) {
            m.commandResultStored(result.commandId());
        }
        // No read-back on the hot path: storeResult only matches this agent's own command.
        published(result.commandId(), agentId, storedStatus, now);
    }

    /** SQL state class 22 (data exception) or 23 (integrity violation): the statement itself is bad, not the database. */
    private static boolean isPermanent(UnableToExecuteStatementException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        String message = String.valueOf(t.getMessage());
        return message.length() > 300 ? message.substring(0, 300) : message;
    }

    public void cancel(Principal actor, UUID commandId) {
        CommandRow row = store.find(commandId).orElseThrow(() -> ApiException.notFound("command", commandId));
        // Acting on the server host's commands is as admin-only as running them there.
        scope.check(actor, row.agentId());
        if (!store.markCancelled(commandId, clock.instant())) {
            CommandRow now = store.find(commandId).orElse(row);
            throw ApiException.conflict("Command " + commandId + " has already finished with status '" + now.status() + "'.");
        }
        published(commandId, row.agentId(), "cancelled", clock.instant());
        audit.record(actor.name(), "command.cancel", commandId.toString(), "agent=" + row.agentId());
        if (!row.status().equals("held")) {
            // A held command was never sent to the agent's current identity: nothing to kill there.
            registry.send(row.agentId(), new ServerMessage.CancelCommand(commandId));
        }
    }

    /**
     * An admin's say on commands held at re-enrolment: {@code release} queues them again for the
     * agent's current identity (sent now if it is online, exactly once like any queued command);
     * otherwise they are discarded (cancelled, with who and why in {@code error}). {@code ids}
     * null means all of the agent's held commands; named ids must all be held commands of this
     * agent, or nothing changes (409).
     */
    public HeldCommandsResult decideHeld(Principal actor, UUID agentId, List<UUID> ids, boolean release) {
        agents.require(agentId);
        List<CommandRow> held = store.heldFor(agentId);
        List<CommandRow> chosen = held;
        if (ids != null) {
            if (ids.contains(null)) {
                throw ApiException.badRequest("'command_ids' contains null; every entry must be a command UUID.");
            }
            Map<UUID, CommandRow> byId = held.stream().collect(Collectors.toMap(CommandRow::id, Function.identity()));
            Set<UUID> wanted = new LinkedHashSet<>(ids);
            List<UUID> notHeld = wanted.stream().filter(id -> !byId.containsKey(id)).limit(5).toList();
            if (!notHeld.isEmpty()) {
                throw ApiException.conflict("Command " + notHeld.getFirst() + (notHeld.size() > 1 ? " (and " + notHeld.subList(1, notHeld.size()) + ")" : "")
                        + " is not a held command of agent " + agentId + "; nothing was changed. GET /api/agents/" + agentId
                        + "/commands?status=held lists the held ones.");
            }
            chosen = wanted.stream().map(byId::get).toList();
        }
        Instant now = clock.instant();
        List<UUID> moved = new ArrayList<>();
        for (CommandRow row : chosen) {
            boolean done = release
                    ? store.release(row.id(), now.plus(queueTtl))
                    : store.discard(row.id(), clip("discarded by " + actor.name() + ": it was queued for this machine's previous identity ("
                            + row.holdReason() + ")", 2000), now);
            if (done) {
                moved.add(row.id());
                published(row.id(), agentId, release ? "queued" : "cancelled", now);
            }
        }
        String action = release ? "released" : "discarded";
        audit.record(actor.name(), release ? "command.release_held" : "command.discard_held", agentId.toString(),
                action + " " + moved.size() + " held commands: " + moved);
        if (release) {
            for (UUID id : moved) {
                store.find(id).ifPresent(this::dispatch);
            }
        }
        return new HeldCommandsResult(agentId, action, moved);
    }

    public CommandView get(UUID id) {
        return view(store.find(id).orElseThrow(() -> ApiException.notFound("command", id)));
    }

    public List<CommandView> listForAgent(UUID agentId, String status, int limit) {
        agents.require(agentId);
        if (status != null && CommandStatus.parse(status).isEmpty()) {
            throw ApiException.badRequest("Unknown status '" + status + "'; use one of " + CommandStatus.allowedValues() + ".");
        }
        return store.listForAgent(agentId, status, limit).stream().map(CommandService::view).toList();
    }

    /** One pass of the sweeper: returns how many commands it ended. */
    public int sweep() {
        Instant now = clock.instant();
        int ended = 0;
        for (UUID id : store.expiredQueued(now, 1000)) {
            if (store.failByServer(id, "expired: the agent did not connect within " + queueTtl.toSeconds() + " s of the command being queued", now)) {
                ended++;
                publishedFromStore(id, now);
            }
        }
        for (UUID id : store.overdueRunning(now, 1000)) {
            if (store.failByServer(id, "agent lost: no result arrived within the command's timeout plus " + lostGrace.toSeconds() + " s", now)) {
                ended++;
                publishedFromStore(id, now);
            }
        }
        if (ended > 0) {
            log.info("sweeper ended {} commands (expired or agent lost)", ended);
        }
        return ended;
    }

    private void published(UUID commandId, UUID agentId, String status, Instant at) {
        bus.publish(CommandStatusChanged.TOPIC, new CommandStatusChanged(commandId, agentId, status, at, node));
    }

    /** For changes made by id alone (the sweeper): the agent id comes from the row. */
    private void publishedFromStore(UUID commandId, Instant at) {
        store.find(commandId).ifPresent(row -> published(commandId, row.agentId(), row.status(), at));
    }

    private Instant deadline(Instant from, int timeoutSeconds) {
        return from.plusSeconds(timeoutSeconds).plus(lostGrace);
    }

    static String unsupportedReason(CommandType type, String os) {
        if (type == CommandType.CMD && !os.equals("windows")) {
            return "command_type cmd runs only on Windows; this agent runs " + os + ". Use bash or sh instead.";
        }
        return null;
    }

    private static String clip(String text, int max) {
        return text.length() > max ? text.substring(0, max) : text;
    }

    /**
     * An agent may not store more than the limits, nor times from the server's future, whatever
     * it sends. Its messages (error, sandbox note) are text, not output: a NUL there is replaced.
     */
    private static CommandResult clip(CommandResult r, Instant now) {
        int limit = 1024 * 1024 + 256;
        String out = r.stdout() != null && r.stdout().length() > limit ? r.stdout().substring(0, limit) : r.stdout();
        String err = r.stderr() != null && r.stderr().length() > limit ? r.stderr().substring(0, limit) : r.stderr();
        String error = r.error() != null && r.error().length() > 2000 ? r.error().substring(0, 2000) : r.error();
        String note = r.sandboxNote() != null && r.sandboxNote().length() > 1000 ? r.sandboxNote().substring(0, 1000) : r.sandboxNote();
        return new CommandResult(r.commandId(), r.status(), r.exitCode(), out, err,
                r.stdoutTruncated() || out != r.stdout(), r.stderrTruncated() || err != r.stderr(), withoutNul(error),
                notAfter(r.startedAt(), now), notAfter(r.completedAt(), now), withoutNul(note),
                FileSystemView.parse(r.view()).map(FileSystemView::wireName).orElse(null));
    }

    private static String withoutNul(String text) {
        return text == null ? null : text.replace('\0', '\uFFFD');
    }

    static CommandView view(CommandRow r) {
        return new CommandView(r.id(), r.agentId(), r.commandType(), r.commandText(), r.context(), r.status(), r.exitCode(),
                r.stdout(), r.stderr(), r.stdoutTruncated(), r.stderrTruncated(), r.error(), r.timeoutSeconds(), r.createdBy(),
                r.createdAt(), r.startedAt(), r.completedAt(), r.sandboxNote(), r.holdReason(), r.resultView());
    }
}

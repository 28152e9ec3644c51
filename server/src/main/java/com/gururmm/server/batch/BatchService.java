package com.gururmm.server.batch;

import com.gururmm.protocol.CommandStatus;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.protocol.api.Batches.BatchSubmitted;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.server.agent.AgentService;
import com.gururmm.server.agent.ServerHostScope;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Scope;
import com.gururmm.server.command.CommandRow;
import com.gururmm.server.command.CommandService;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command for many agents (fan-out).
 *
 * <p>Everything is validated before anything is written: the command fields once, and the
 * target list as a whole (unknown ids are a 404 naming them), so bad input never leaves a
 * half-created batch. Then each agent gets an ordinary command ({@link CommandService#bulkRow}:
 * without the per-agent lookup and audit row; the batch is audited once), so delivery,
 * redelivery, results and the sweeper behave exactly as for single commands. The commands are
 * stored 500 to a transaction with their batch entries and sent as each transaction commits: a
 * commit per command was most of what a 10,000-agent fan-out cost (docs/BENCHMARKS.md).
 *
 * <p>The server host's own agent is admin-only ({@link ServerHostScope}). A technician's batch
 * that selects it, by filter or by id, still runs everywhere else: the server host is skipped
 * with the per-agent error {@value ServerHostScope#BATCH_ERROR} (counted as failed), so
 * "every linux agent" stays usable for technicians and the batch result says what was left out.
 */
public final class BatchService {
    private static final Logger log = LoggerFactory.getLogger(BatchService.class);
    /** Largest fan-out accepted in one request; the stretch goal is 50,000 agents on one node. */
    public static final int MAX_AGENTS = 50_000;
    /** Commands stored per transaction by {@link #submit}. */
    static final int SUBMIT_CHUNK = 500;

    private final org.jdbi.v3.core.Jdbi jdbi;
    private final BatchStore store;
    private final com.gururmm.server.command.CommandStore commandStore;
    private final CommandService commands;
    private final AgentService agents;
    private final AuditLog audit;
    private final Clock clock;

    public BatchService(org.jdbi.v3.core.Jdbi jdbi, CommandService commands, AgentService agents, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.store = new BatchStore(jdbi);
        this.commandStore = new com.gururmm.server.command.CommandStore(jdbi);
        this.commands = commands;
        this.agents = agents;
        this.audit = audit;
        this.clock = clock;
    }

    /** An agent to run the batch on; its OS decides whether the command type can run there. */
    public record Target(UUID id, String os, boolean serverHost) {
        static Target of(AgentSummary a) {
            return new Target(a.id(), a.os(), a.serverHost());
        }
    }

    /** A validated bulk request: the command, the agents it reaches, and how the target is described. */
    public record Prepared(CommandRequest command, List<Target> targets, String target) {
    }

    /** A batch stored in the caller's transaction: {@link #afterCommit} delivers its commands. */
    public record Created(UUID batchId, int agentCount, List<CommandRow> rows) {
    }

    /**
     * Validates {@code request} and resolves its targets within the caller's scope, creating
     * nothing (the first half of the transactional path, {@link #insert}).
     */
    public Prepared prepare(Principal actor, BatchRequest request) {
        CommandRequest command = request.toCommandRequest();
        commands.validate(command);
        List<Target> targets = resolveTargets(request, actor.scope());
        return new Prepared(command, targets, describe(request, targets.size()));
    }

    /** For targets resolved by the caller (a policy's agents). */
    public Prepared prepare(CommandRequest command, List<Target> targets, String target) {
        commands.validate(command);
        checkSize(targets.size());
        return new Prepared(command, List.copyOf(targets), target.length() > 1900 ? target.substring(0, 1900) : target);
    }

    /**
     * Stores the batch, its commands (queued, none sent yet) and its members on {@code h}, the
     * caller's transaction. {@code refuse} may name why an agent is left out (the script does
     * not support its OS; null = it runs); the server host's agent is left out for non-admins as
     * in {@link #submit}. The caller audits, and calls {@link #afterCommit} once committed.
     *
     * @param env       the commands' extra environment variables (a JSON object) or null
     * @param expiresAt when queued commands expire (null = the usual queue TTL)
     */
    public Created insert(org.jdbi.v3.core.Handle h, Principal actor, Prepared prepared, String env, Instant expiresAt,
                          java.util.function.Function<Target, String> refuse) {
        CommandRequest command = prepared.command();
        UUID batchId = UUID.randomUUID();
        String type = CommandType.parse(command.commandType()).orElseThrow().wireName();
        String context = command.context() == null ? ExecutionContext.SYSTEM.wireName() : command.context();
        int timeout = command.timeoutSeconds() == null ? CommandService.DEFAULT_TIMEOUT_SECONDS : command.timeoutSeconds();
        store.insert(h, new BatchStore.BatchRow(batchId, type, command.command(), context, timeout, prepared.target(),
                prepared.targets().size(), actor.name(), clock.instant()));
        List<BatchStore.Member> members = new ArrayList<>();
        List<CommandRow> rows = new ArrayList<>();
        for (Target target : prepared.targets()) {
            String refused = !ServerHostScope.allows(actor, target.serverHost()) ? ServerHostScope.BATCH_ERROR : refuse.apply(target);
            if (refused != null) {
                members.add(new BatchStore.Member(target.id(), null, refused));
                continue;
            }
            CommandRow row = commands.queuedRow(actor, target.id(), target.os(), command, env, expiresAt);
            rows.add(row);
            members.add(new BatchStore.Member(target.id(), row.id(), null));
        }
        commandStore.insertAll(h, rows);
        store.addMembers(h, batchId, members);
        return new Created(batchId, prepared.targets().size(), rows);
    }

    /** Publishes and delivers what {@link #insert} stored, once its transaction committed. */
    public void afterCommit(Created created) {
        commands.afterCommit(created.rows());
    }

    public BatchSubmitted submit(Principal actor, BatchRequest request) {
        CommandRequest command = request.toCommandRequest();
        commands.validate(command);
        List<Target> targets = resolveTargets(request, actor.scope());
        String target = describe(request, targets.size());

        UUID batchId = UUID.randomUUID();
        String type = CommandType.parse(command.commandType()).orElseThrow().wireName();
        String context = command.context() == null ? ExecutionContext.SYSTEM.wireName() : command.context();
        int timeout = command.timeoutSeconds() == null ? CommandService.DEFAULT_TIMEOUT_SECONDS : command.timeoutSeconds();
        store.insert(new BatchStore.BatchRow(batchId, type, command.command(), context, timeout, target, targets.size(),
                actor.name(), clock.instant()));
        audit.record(actor.name(), "batch.create", batchId.toString(),
                "agents=" + targets.size() + " type=" + type + " context=" + context + " target=" + target);

        long started = System.nanoTime();
        List<BatchStore.Member> members = submitAll(actor, batchId, command, targets);
        long failed = members.stream().filter(m -> m.commandId() == null).count();
        log.info("batch {}: {} commands submitted in {} ms ({} could not be created)", batchId, targets.size(),
                (System.nanoTime() - started) / 1_000_000, failed);
        return new BatchSubmitted(batchId, targets.size());
    }

    public BatchView get(UUID id, boolean withResults) {
        BatchStore.BatchRow row = store.find(id).orElseThrow(() -> ApiException.notFound("batch", id));
        Map<String, Integer> counts = store.counts(id);
        int finished = counts.entrySet().stream()
                .filter(e -> CommandStatus.parse(e.getKey()).map(CommandStatus::isTerminal).orElse(true))
                .mapToInt(Map.Entry::getValue).sum();
        return new BatchView(row.id(), row.commandType(), row.commandText(), row.context(), row.timeoutSeconds(), row.target(),
                row.createdBy(), row.createdAt(), row.agentCount(), counts, finished == row.agentCount(),
                withResults ? store.results(id) : null);
    }

    /**
     * The agents a request selects, only ever within the caller's scope (in SQL): a filter never
     * reaches outside it, and an id outside it is "unknown" exactly like an id that does not exist.
     */
    private List<Target> resolveTargets(BatchRequest request, Scope scope) {
        boolean byIds = request.agentIds() != null;
        boolean byFilter = request.filter() != null;
        if (byIds == byFilter) {
            throw ApiException.badRequest("Give exactly one of 'agent_ids' (a list of agent UUIDs) and 'filter' "
                    + "(e.g. {\"os\": \"linux\"}; {} selects every agent).");
        }
        if (byIds) {
            return resolveIds(request.agentIds(), scope);
        }
        AgentFilter f = request.filter();
        List<Target> ids = agents.list(f.status(), f.os(), f.site(), f.hostname(), f.clientId(), f.siteId(), false, scope)
                .stream().map(Target::of).toList();
        if (ids.isEmpty()) {
            throw ApiException.badRequest("The filter " + describeFilter(f) + " matches no agent; nothing was run.");
        }
        checkSize(ids.size());
        return ids;
    }

    private List<Target> resolveIds(List<UUID> requested, Scope scope) {
        if (requested.isEmpty()) {
            throw ApiException.badRequest("'agent_ids' is empty; name at least one agent.");
        }
        checkSize(requested.size());
        if (requested.contains(null)) {
            throw ApiException.badRequest("'agent_ids' contains null; every entry must be an agent UUID.");
        }
        Set<UUID> wanted = new LinkedHashSet<>(requested);
        Map<UUID, Target> known = new HashMap<>();
        agents.list(null, null, null, null, null, null, false, scope).forEach(a -> known.put(a.id(), Target.of(a)));
        List<UUID> unknown = wanted.stream().filter(id -> !known.containsKey(id)).limit(5).toList();
        if (!unknown.isEmpty()) {
            throw new ApiException(404, "not_found", "No agent exists with id " + unknown.get(0)
                    + (unknown.size() > 1 ? " (nor " + unknown.subList(1, unknown.size()) + ")" : "")
                    + "; nothing was run. Remove unknown ids from 'agent_ids'.");
        }
        return wanted.stream().map(known::get).toList();
    }

    private static void checkSize(int size) {
        if (size > MAX_AGENTS) {
            throw ApiException.tooLarge("The batch targets " + size + " agents; the limit is " + MAX_AGENTS
                    + " per request. Split it into several batches.");
        }
    }

    /**
     * Submits to every target, {@link #SUBMIT_CHUNK} at a time: each chunk's commands and their
     * batch entries are stored in one transaction (one commit for 500 commands instead of 500),
     * then sent. An agent that cannot take the command gets an error entry, not an abort.
     */
    private List<BatchStore.Member> submitAll(Principal actor, UUID batchId, CommandRequest command, List<Target> targets) {
        List<BatchStore.Member> members = new ArrayList<>(targets.size());
        CommandService.Validated validated = commands.validated(command);
        for (int from = 0; from < targets.size(); from += SUBMIT_CHUNK) {
            List<Target> chunk = targets.subList(from, Math.min(targets.size(), from + SUBMIT_CHUNK));
            List<BatchStore.Member> chunkMembers = new ArrayList<>(chunk.size());
            List<CommandRow> rows = new ArrayList<>(chunk.size());
            for (Target target : chunk) {
                if (!ServerHostScope.allows(actor, target.serverHost())) {
                    chunkMembers.add(new BatchStore.Member(target.id(), null, ServerHostScope.BATCH_ERROR));
                    continue;
                }
                CommandRow row = commands.bulkRow(actor, target.id(), target.os(), validated);
                rows.add(row);
                chunkMembers.add(new BatchStore.Member(target.id(), row.id(), null));
            }
            jdbi.useTransaction(h -> {
                commandStore.insertAll(h, rows);
                store.addMembers(h, batchId, chunkMembers);
            });
            commands.afterCommit(rows);
            members.addAll(chunkMembers);
        }
        return members;
    }

    private static String describe(BatchRequest request, int count) {
        return request.agentIds() != null ? "agent_ids (" + count + ")" : "filter " + describeFilter(request.filter());
    }

    private static String describeFilter(AgentFilter f) {
        StringBuilder out = new StringBuilder();
        append(out, "status", f.status());
        append(out, "os", f.os());
        append(out, "site", f.site());
        append(out, "hostname", f.hostname());
        append(out, "client_id", f.clientId() == null ? null : f.clientId().toString());
        append(out, "site_id", f.siteId() == null ? null : f.siteId().toString());
        String text = out.isEmpty() ? "{} (every agent)" : out.toString().trim();
        return text.length() > 1900 ? text.substring(0, 1900) : text;
    }

    private static void append(StringBuilder out, String key, String value) {
        if (value != null && !value.isBlank()) {
            out.append(key).append('=').append(value.length() > 200 ? value.substring(0, 200) : value).append(' ');
        }
    }
}

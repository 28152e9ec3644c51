package com.gururmm.server.command;

import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.server.agent.HeldCommands;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * SQL for {@code commands}. Every state change is a conditional UPDATE on the current status,
 * so concurrent or repeated events (a result delivered twice, a cancel racing a result, the
 * sweeper racing a late result) resolve to exactly one outcome without locks.
 *
 * <p>A {@code held} command (queued for a machine's previous identity, see {@link HeldCommands})
 * matches none of the delivery, start, result or expiry conditions: only an admin's release
 * (back to queued) or discard (cancelled), or a cancel, moves it.
 */
public final class CommandStore implements HeldCommands {
    /**
     * An agent-reported start, never before the command existed (the caller has already capped
     * it at the server's clock). {@code :startedAt} may be null: then the expression is null.
     */
    private static final String CLAMPED_START = """
            CASE WHEN CAST(:startedAt AS TIMESTAMP WITH TIME ZONE) < created_at THEN created_at
                 ELSE CAST(:startedAt AS TIMESTAMP WITH TIME ZONE) END""";
    /** An agent-reported completion, never before the start (stored or reported) nor the command's creation. */
    private static final String CLAMPED_COMPLETION = """
            CASE WHEN CAST(:completedAt AS TIMESTAMP WITH TIME ZONE) < COALESCE(started_at, %1$s, created_at)
                 THEN COALESCE(started_at, %1$s, created_at)
                 ELSE CAST(:completedAt AS TIMESTAMP WITH TIME ZONE) END""".formatted(CLAMPED_START);
    private static final RowMapper<CommandRow> STORED = ConstructorMapper.of(CommandRow.class);
    /** Rows as stored, with escaped output (see {@link OutputText}) turned back into the original. */
    private static final RowMapper<CommandRow> ROWS = (rs, ctx) -> {
        CommandRow r = STORED.map(rs, ctx);
        if (!rs.getBoolean("output_escaped")) {
            return r;
        }
        return new CommandRow(r.id(), r.agentId(), r.commandType(), r.commandText(), r.context(), r.timeoutSeconds(), r.status(),
                r.exitCode(), OutputText.stored(r.stdout(), true), OutputText.stored(r.stderr(), true), r.stdoutTruncated(),
                r.stderrTruncated(), r.error(), r.failedByServer(), r.createdBy(), r.createdAt(), r.expiresAt(), r.dispatchedAt(),
                r.deadlineAt(), r.startedAt(), r.completedAt(), r.sandboxNote(), r.holdReason(), r.env(), r.requestedView(), r.resultView());
    };

    private final Jdbi jdbi;

    public CommandStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(CommandRow row) {
        jdbi.useHandle(h -> insert(h, row));
    }

    /** Inserts and runs {@code alsoInTransaction} (the audit entry) in one transaction: one commit on the submit path. */
    public void insert(CommandRow row, java.util.function.Consumer<org.jdbi.v3.core.Handle> alsoInTransaction) {
        jdbi.useTransaction(h -> {
            insert(h, row);
            alsoInTransaction.accept(h);
        });
    }

    /** Inserts on {@code h}: part of the caller's transaction (a scheduled occurrence and its batch commit together). */
    public void insert(org.jdbi.v3.core.Handle h, CommandRow row) {
        insertAll(h, List.of(row));
    }

    /** Inserts {@code rows} on {@code h} as one JDBC batch: one round of statements for a chunk of a fan-out. */
    public void insertAll(org.jdbi.v3.core.Handle h, List<CommandRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        org.jdbi.v3.core.statement.PreparedBatch batch = h.prepareBatch("""
                INSERT INTO commands (id, agent_id, command_type, command_text, context, timeout_seconds, status,
                       exit_code, stdout, stderr, stdout_truncated, stderr_truncated, error, failed_by_server,
                       created_by, created_at, expires_at, dispatched_at, deadline_at, started_at, completed_at, sandbox_note,
                       hold_reason, env, requested_view, result_view)
                VALUES (:id, :agentId, :commandType, :commandText, :context, :timeoutSeconds, :status,
                       :exitCode, :stdout, :stderr, :stdoutTruncated, :stderrTruncated, :error, :failedByServer,
                       :createdBy, :createdAt, :expiresAt, :dispatchedAt, :deadlineAt, :startedAt, :completedAt, :sandboxNote,
                       :holdReason, :env, :requestedView, :resultView)""");
        for (CommandRow row : rows) {
            // Bound by declared type, so a null keeps its column's type (PostgreSQL refuses an untyped null in a batch).
            batch.bindByType("id", row.id(), UUID.class).bindByType("agentId", row.agentId(), UUID.class)
                    .bind("commandType", row.commandType()).bind("commandText", row.commandText()).bind("context", row.context())
                    .bind("timeoutSeconds", row.timeoutSeconds()).bind("status", row.status())
                    .bindByType("exitCode", row.exitCode(), Integer.class).bind("stdout", row.stdout()).bind("stderr", row.stderr())
                    .bind("stdoutTruncated", row.stdoutTruncated()).bind("stderrTruncated", row.stderrTruncated())
                    .bind("error", row.error()).bind("failedByServer", row.failedByServer()).bind("createdBy", row.createdBy())
                    .bindByType("createdAt", row.createdAt(), Instant.class).bindByType("expiresAt", row.expiresAt(), Instant.class)
                    .bindByType("dispatchedAt", row.dispatchedAt(), Instant.class)
                    .bindByType("deadlineAt", row.deadlineAt(), Instant.class)
                    .bindByType("startedAt", row.startedAt(), Instant.class)
                    .bindByType("completedAt", row.completedAt(), Instant.class)
                    .bind("sandboxNote", row.sandboxNote()).bind("holdReason", row.holdReason()).bind("env", row.env())
                    .bind("requestedView", row.requestedView()).bind("resultView", row.resultView())
                    .add();
        }
        batch.execute();
    }

    /** How many commands are in each status: one pass over the status index (the {@code gururmm_commands} gauge). */
    public java.util.Map<String, Long> countByStatus() {
        return jdbi.withHandle(h -> {
            java.util.Map<String, Long> counts = new java.util.HashMap<>();
            h.createQuery("SELECT status, COUNT(*) AS n FROM commands GROUP BY status")
                    .map((rs, ctx) -> java.util.Map.entry(rs.getString("status"), rs.getLong("n")))
                    .forEach(e -> counts.put(e.getKey(), e.getValue()));
            return counts;
        });
    }

    public Optional<CommandRow> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM commands WHERE id = :id")
                .bind("id", id).map(ROWS).findOne());
    }

    public List<CommandRow> listForAgent(UUID agentId, String status, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM commands WHERE agent_id = :agentId
                          AND (CAST(:status AS VARCHAR(20)) IS NULL OR status = :status)
                        ORDER BY created_at DESC, id LIMIT :limit""")
                .bind("agentId", agentId).bind("status", status).bind("limit", limit)
                .map(ROWS).list());
    }

    /** Commands to (re)send when the agent connects: never sent, or sent but never reported started. */
    public List<CommandRow> pendingFor(UUID agentId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM commands WHERE agent_id = :agentId
                          AND (status = 'queued' OR (status = 'running' AND started_at IS NULL))
                        ORDER BY created_at, id""")
                .bind("agentId", agentId).map(ROWS).list());
    }

    /**
     * Cancelled commands that had been sent to the agent's current identity (since its latest
     * enrollment) and have no result from it yet. One sent to a previous identity is not this
     * one's to kill, and its id is not this identity's to learn.
     */
    public List<UUID> cancelledWithoutResult(UUID agentId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT c.id FROM commands c JOIN agents a ON a.id = c.agent_id
                        WHERE c.agent_id = :agentId AND c.status = 'cancelled'
                          AND c.dispatched_at IS NOT NULL AND c.dispatched_at >= a.enrolled_at
                          AND c.stdout IS NULL AND c.stderr IS NULL""")
                .bind("agentId", agentId).mapTo(UUID.class).list());
    }

    @Override
    public int holdPending(UUID agentId, String reason, Instant at) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE commands SET status = 'held', hold_reason = :reason
                        WHERE agent_id = :agentId AND (status = 'queued' OR (status = 'running' AND started_at IS NULL))""")
                .bind("agentId", agentId).bind("reason", reason).execute());
    }

    @Override
    public Held held(UUID agentId) {
        return jdbi.withHandle(h -> {
            int count = h.createQuery("SELECT COUNT(*) FROM commands WHERE agent_id = :agentId AND status = 'held'")
                    .bind("agentId", agentId).mapTo(Integer.class).one();
            String reason = count == 0 ? null : h.createQuery("""
                            SELECT hold_reason FROM commands WHERE agent_id = :agentId AND status = 'held'
                            ORDER BY created_at DESC, id LIMIT 1""")
                    .bind("agentId", agentId).mapTo(String.class).findOne().orElse(null);
            return new Held(count, reason);
        });
    }

    /** The agent's held commands, oldest first. */
    public List<CommandRow> heldFor(UUID agentId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM commands WHERE agent_id = :agentId AND status = 'held' ORDER BY created_at, id""")
                .bind("agentId", agentId).map(ROWS).list());
    }

    /**
     * held -> queued, as a command never sent to the agent's current identity, with a fresh
     * time-to-live from the release (it waited for the admin, not for the agent).
     */
    public boolean release(UUID id, Instant expiresAt) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE commands SET status = 'queued', hold_reason = NULL, expires_at = :expiresAt,
                               dispatched_at = NULL, deadline_at = NULL
                        WHERE id = :id AND status = 'held'""")
                .bind("id", id).bind("expiresAt", expiresAt).execute()) == 1;
    }

    /** held -> cancelled with {@code error} saying who discarded it and why; it was never run. */
    public boolean discard(UUID id, String error, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE commands SET status = 'cancelled', error = :error, completed_at = :now
                        WHERE id = :id AND status = 'held'""")
                .bind("id", id).bind("error", error).bind("now", now).execute()) == 1;
    }

    /** queued -> running as it is handed to the agent's connection. */
    public boolean markDispatched(UUID id, Instant now, Instant deadline) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE commands SET status = 'running', dispatched_at = :now, deadline_at = :deadline
                        WHERE id = :id AND status = 'queued'""")
                .bind("id", id).bind("now", now).bind("deadline", deadline).execute()) == 1;
    }

    /** {@link #markStarted} for a command that already has a deadline; false if it has none (or is not open). */
    public boolean markStartedKeepingDeadline(UUID agentId, UUID id, Instant startedAt, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE commands SET status = 'running', started_at = COALESCE(started_at, %s),
                               dispatched_at = COALESCE(dispatched_at, :now)
                        WHERE id = :id AND agent_id = :agentId AND status IN ('queued', 'running') AND deadline_at IS NOT NULL"""
                        .formatted(CLAMPED_START))
                .bind("id", id).bind("agentId", agentId).bind("startedAt", startedAt).bind("now", now).execute()) == 1;
    }

    /** Claims a resend of a command that was sent but never reported started (still running, not cancelled). */
    public boolean markRedelivered(UUID id, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE commands SET dispatched_at = :now
                        WHERE id = :id AND status = 'running' AND started_at IS NULL""")
                .bind("id", id).bind("now", now).execute()) == 1;
    }

    public boolean markStarted(UUID agentId, UUID id, Instant startedAt, Instant now, Instant deadline) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE commands SET status = 'running', started_at = COALESCE(started_at, %s),
                               dispatched_at = COALESCE(dispatched_at, :now), deadline_at = COALESCE(deadline_at, :deadline)
                        WHERE id = :id AND agent_id = :agentId AND status IN ('queued', 'running')"""
                        .formatted(CLAMPED_START))
                .bind("id", id).bind("agentId", agentId).bind("startedAt", startedAt).bind("now", now)
                .bind("deadline", deadline).execute()) == 1;
    }

    /**
     * Stores an agent's result. Accepted while the command is open, or when the server itself
     * had given up on it (expired / agent lost): the agent's own account is the better truth.
     * Returns false when the result was already stored (a redelivery) or the command is not
     * this agent's. The caller caps the reported times at its clock; here they are kept after
     * the command's creation and the completion after the start, whatever the agent said.
     */
    public boolean storeResult(UUID agentId, CommandResult r, String status, Instant now) {
        return jdbi.withHandle(h -> storeResult(h, agentId, r, status, now));
    }

    /** One result for {@link #storeResults}: what {@link #storeResult} takes. */
    public record ResultToStore(UUID agentId, CommandResult result, String status, Instant now) {
    }

    /**
     * Stores several results in one transaction (one commit): per result, in order, whether it
     * was stored, as {@link #storeResult} answers. If any statement fails, none is stored.
     */
    public List<Boolean> storeResults(List<ResultToStore> results) {
        return jdbi.inTransaction(h -> {
            List<Boolean> stored = new java.util.ArrayList<>(results.size());
            for (ResultToStore r : results) {
                stored.add(storeResult(h, r.agentId(), r.result(), r.status(), r.now()));
            }
            return stored;
        });
    }

    private boolean storeResult(org.jdbi.v3.core.Handle h, UUID agentId, CommandResult r, String status, Instant now) {
        boolean escaped = OutputText.needsEscaping(r.stdout(), r.stderr());
        String stdout = escaped ? OutputText.escape(r.stdout()) : r.stdout();
        String stderr = escaped ? OutputText.escape(r.stderr()) : r.stderr();
        int updated = h.createUpdate("""
                        UPDATE commands SET status = :status, exit_code = :exitCode, stdout = :stdout, stderr = :stderr,
                               stdout_truncated = :stdoutTruncated, stderr_truncated = :stderrTruncated, error = :error,
                               output_escaped = :escaped, failed_by_server = FALSE,
                               started_at = COALESCE(started_at, %s),
                               completed_at = %s, sandbox_note = :sandboxNote, result_view = :resultView
                        WHERE id = :id AND agent_id = :agentId
                          AND (status IN ('queued', 'running') OR (status = 'failed' AND failed_by_server = TRUE))"""
                        .formatted(CLAMPED_START, CLAMPED_COMPLETION))
                .bind("id", r.commandId()).bind("agentId", agentId).bind("status", status)
                .bind("exitCode", r.exitCode()).bind("stdout", stdout).bind("stderr", stderr).bind("escaped", escaped)
                .bind("stdoutTruncated", r.stdoutTruncated()).bind("stderrTruncated", r.stderrTruncated())
                .bind("error", r.error()).bind("startedAt", r.startedAt())
                .bind("completedAt", r.completedAt() == null ? now : r.completedAt())
                .bind("sandboxNote", r.sandboxNote())
                .bind("resultView", r.view())
                .execute();
        if (updated == 1) {
            return true;
        }
        // A cancelled command keeps its status but gains the output the process produced before it was killed.
        return h.createUpdate("""
                        UPDATE commands SET exit_code = :exitCode, stdout = :stdout, stderr = :stderr,
                               stdout_truncated = :stdoutTruncated, stderr_truncated = :stderrTruncated, output_escaped = :escaped,
                               started_at = COALESCE(started_at, %s), sandbox_note = :sandboxNote, result_view = :resultView
                        WHERE id = :id AND agent_id = :agentId AND status = 'cancelled' AND stdout IS NULL AND stderr IS NULL"""
                        .formatted(CLAMPED_START))
                .bind("id", r.commandId()).bind("agentId", agentId)
                .bind("exitCode", r.exitCode()).bind("stdout", stdout).bind("stderr", stderr).bind("escaped", escaped)
                .bind("stdoutTruncated", r.stdoutTruncated()).bind("stderrTruncated", r.stderrTruncated())
                .bind("startedAt", r.startedAt())
                .bind("sandboxNote", r.sandboxNote())
                .bind("resultView", r.view())
                .execute() == 1;
    }

    public boolean markCancelled(UUID id, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE commands SET status = 'cancelled', completed_at = :now, error = 'cancelled by a user'
                        WHERE id = :id AND status IN ('queued', 'held', 'running')""")
                .bind("id", id).bind("now", now).execute()) == 1;
    }

    /** Fails a command the server decided on; only while it is still open. */
    public boolean failByServer(UUID id, String error, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE commands SET status = 'failed', error = :error, stderr = COALESCE(stderr, :error),
                               failed_by_server = TRUE, completed_at = :now
                        WHERE id = :id AND status IN ('queued', 'running')""")
                .bind("id", id).bind("error", error).bind("now", now).execute()) == 1;
    }

    /** Queued commands whose time-to-live has passed. */
    public List<UUID> expiredQueued(Instant now, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id FROM commands WHERE status = 'queued' AND expires_at < :now ORDER BY expires_at LIMIT :limit""")
                .bind("now", now).bind("limit", limit).mapTo(UUID.class).list());
    }

    /** Running commands past their deadline (timeout + grace) with no result. */
    public List<UUID> overdueRunning(Instant now, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id FROM commands WHERE status = 'running' AND deadline_at < :now ORDER BY deadline_at LIMIT :limit""")
                .bind("now", now).bind("limit", limit).mapTo(UUID.class).list());
    }
}

package com.gururmm.server.batch;

import com.gururmm.protocol.api.Batches.BatchResult;
import com.gururmm.server.command.OutputText;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** SQL for {@code batches} and {@code batch_commands}; progress is read through {@code commands}. */
final class BatchStore {
    /** Rows per INSERT batch: large enough to amortise round trips, small enough for any driver. */
    private static final int CHUNK = 1000;

    private final Jdbi jdbi;

    BatchStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record BatchRow(UUID id, String commandType, String commandText, String context, int timeoutSeconds, String target,
                    int agentCount, String createdBy, Instant createdAt) {
    }

    /** One agent's entry: a command id, or the reason none was created. */
    record Member(UUID agentId, UUID commandId, String error) {
    }

    void insert(BatchRow row) {
        jdbi.useHandle(h -> insert(h, row));
    }

    void insert(org.jdbi.v3.core.Handle h, BatchRow row) {
        h.createUpdate("""
                        INSERT INTO batches (id, command_type, command_text, context, timeout_seconds, target, agent_count,
                                             created_by, created_at)
                        VALUES (:id, :commandType, :commandText, :context, :timeoutSeconds, :target, :agentCount,
                                :createdBy, :createdAt)""")
                .bindMethods(row).execute();
    }

    void addMembers(org.jdbi.v3.core.Handle h, UUID batchId, List<Member> members) {
        for (int from = 0; from < members.size(); from += CHUNK) {
            List<Member> chunk = members.subList(from, Math.min(members.size(), from + CHUNK));
            {
                // The command id goes as text cast in SQL: a batch binds one type per name for every
                // row, and a bare null (an agent without a command) is typed as text, which PostgreSQL
                // refuses for a uuid column.
                PreparedBatch batch = h.prepareBatch("INSERT INTO batch_commands (batch_id, agent_id, command_id, error) "
                        + "VALUES (:batch, :agent, CAST(:command AS UUID), :error)");
                for (Member m : chunk) {
                    batch.bind("batch", batchId).bind("agent", m.agentId())
                            .bind("command", m.commandId() == null ? null : m.commandId().toString())
                            .bind("error", m.error()).add();
                }
                batch.execute();
            }
        }
    }

    Optional<BatchRow> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM batches WHERE id = :id")
                .bind("id", id).mapTo(BatchRow.class).findOne());
    }

    /** Status → count over the batch's commands; agents without a command count as {@code failed}. */
    Map<String, Integer> counts(UUID batchId) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT COALESCE(c.status, 'failed') AS status, COUNT(*) AS n
                        FROM batch_commands b LEFT JOIN commands c ON c.id = b.command_id
                        WHERE b.batch_id = :batch GROUP BY COALESCE(c.status, 'failed')""")
                .bind("batch", batchId)
                .map((rs, ctx) -> Map.entry(rs.getString("status"), rs.getInt("n")))
                .forEach(e -> counts.put(e.getKey(), e.getValue())));
        return counts;
    }

    List<BatchResult> results(UUID batchId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT b.agent_id, b.command_id, COALESCE(c.status, 'failed') AS status, c.exit_code, c.stdout, c.stderr,
                               COALESCE(c.error, b.error) AS error, c.completed_at, COALESCE(c.output_escaped, FALSE) AS output_escaped
                        FROM batch_commands b LEFT JOIN commands c ON c.id = b.command_id
                        WHERE b.batch_id = :batch ORDER BY b.agent_id""")
                .bind("batch", batchId)
                .map((rs, ctx) -> new BatchResult(
                        rs.getObject("agent_id", UUID.class),
                        rs.getObject("command_id", UUID.class),
                        rs.getString("status"),
                        (Integer) rs.getObject("exit_code", Integer.class),
                        OutputText.stored(rs.getString("stdout"), rs.getBoolean("output_escaped")),
                        OutputText.stored(rs.getString("stderr"), rs.getBoolean("output_escaped")),
                        rs.getString("error"),
                        Optional.ofNullable(rs.getObject("completed_at", java.time.OffsetDateTime.class))
                                .map(java.time.OffsetDateTime::toInstant).orElse(null)))
                .list());
    }
}

package com.gururmm.server.agentevent;

import com.gururmm.protocol.api.AgentEvents.AgentEventView;
import com.gururmm.server.db.JsonText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code agent_events}: insert-once by (agent, event key), newest-first reads. */
public final class AgentEventStore {
    /** An event as it is written; {@code details} already validated and clipped. */
    record NewEvent(UUID id, UUID agentId, String eventKey, String kind, String severity, String summary,
                    Map<String, String> details, Instant occurredAt, Instant receivedAt) {
    }

    private final Jdbi jdbi;

    public AgentEventStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Stores the events of one frame in one transaction and returns those that were new (a key
     * this agent reported before is skipped). Committed when this returns: the caller publishes
     * and acknowledges only then.
     */
    List<NewEvent> insertNew(List<NewEvent> events) {
        return jdbi.inTransaction(h -> {
            List<NewEvent> inserted = new ArrayList<>();
            for (NewEvent e : events) {
                if (insertIfAbsent(h, e)) {
                    inserted.add(e);
                }
            }
            return inserted;
        });
    }

    /**
     * Insert unless this agent's key is stored. One agent's frames are handled one at a time, so
     * two inserts of one key race only across two connections of the same agent (a replaced
     * link): then the unique constraint fails the frame, nothing is acknowledged, and the resend
     * finds the row.
     */
    private static boolean insertIfAbsent(Handle h, NewEvent e) {
        int rows = h.createUpdate("""
                        INSERT INTO agent_events (id, agent_id, event_key, kind, severity, summary, details, occurred_at, received_at)
                        SELECT :id, :agentId, :eventKey, :kind, :severity, :summary, :details, :occurredAt, :receivedAt
                        WHERE NOT EXISTS (SELECT 1 FROM agent_events WHERE agent_id = :agentId AND event_key = :eventKey)""")
                .bind("id", e.id()).bind("agentId", e.agentId()).bind("eventKey", e.eventKey()).bind("kind", e.kind())
                .bind("severity", e.severity()).bind("summary", e.summary()).bind("details", JsonText.write(e.details()))
                .bind("occurredAt", e.occurredAt()).bind("receivedAt", e.receivedAt())
                .execute();
        return rows == 1;
    }

    List<AgentEventView> list(UUID agentId, String kind, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, agent_id, kind, severity, summary, event_key, occurred_at, received_at, details
                        FROM agent_events WHERE agent_id = :agentId AND (CAST(:kind AS VARCHAR(40)) IS NULL OR kind = :kind)
                        ORDER BY occurred_at DESC, id LIMIT :limit""")
                .bind("agentId", agentId).bind("kind", kind).bind("limit", limit)
                .map((rs, ctx) -> new AgentEventView(rs.getObject("id", UUID.class), rs.getObject("agent_id", UUID.class),
                        rs.getString("kind"), rs.getString("severity"), rs.getString("summary"), rs.getString("event_key"),
                        rs.getObject("occurred_at", java.time.OffsetDateTime.class).toInstant(),
                        rs.getObject("received_at", java.time.OffsetDateTime.class).toInstant(),
                        readDetails(rs.getString("details"))))
                .list());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> readDetails(String json) {
        Map<String, String> map = JsonText.read(json, Map.class);
        return map == null ? Map.of() : new java.util.TreeMap<>(map);
    }
}

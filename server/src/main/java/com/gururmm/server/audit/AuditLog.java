package com.gururmm.server.audit;

import com.gururmm.protocol.api.Audit.AuditEntry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Append-only record of every mutation: who, what, on which object, when. */
public final class AuditLog {
    private final Jdbi jdbi;
    private final Clock clock;

    public AuditLog(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    public void record(String actor, String action, String target, String detail) {
        jdbi.useHandle(h -> record(h, actor, action, target, detail));
    }

    /** The same, on {@code h}: the entry commits with the change it records (one transaction, not two). */
    public void record(org.jdbi.v3.core.Handle h, String actor, String action, String target, String detail) {
        h.createUpdate("""
                        INSERT INTO audit_log (at, actor, action, target, detail)
                        VALUES (:at, :actor, :action, :target, :detail)""")
                .bind("at", clock.instant())
                .bind("actor", truncate(actor, 320))
                .bind("action", action)
                .bind("target", truncate(target, 200))
                .bind("detail", detail)
                .execute();
    }

    /** Newest first, optionally only entries before {@code beforeId} (for paging). */
    public List<AuditEntry> list(int limit, Long beforeId, String action) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, at, actor, action, target, detail FROM audit_log
                        WHERE (CAST(:before AS BIGINT) IS NULL OR id < :before)
                          AND (CAST(:action AS VARCHAR(100)) IS NULL OR action = :action)
                        ORDER BY id DESC LIMIT :limit""")
                .bind("before", beforeId)
                .bind("action", action)
                .bind("limit", limit)
                .map((rs, c) -> new AuditEntry(rs.getLong("id"), rs.getObject("at", java.time.OffsetDateTime.class).toInstant(),
                        rs.getString("actor"), rs.getString("action"), rs.getString("target"), rs.getString("detail")))
                .list());
    }

    public Instant now() {
        return clock.instant();
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}

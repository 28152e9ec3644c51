package com.gururmm.server.notify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL for deliveries, their attempt log, the routed-change markers and digest windows. Every
 * state a delivery can be in is a row here, so a restart resumes exactly where the last process
 * stopped (see {@link Dispatcher}).
 */
final class DeliveryStore {
    static final String PENDING = "pending";
    static final String DELIVERED = "delivered";
    static final String FAILED = "failed";

    public record DeliveryRow(UUID id, UUID channelId, String dedupeKey, String kind, UUID ruleId, UUID alertId, String alertState,
                       String site, String payload, String status, int attempts, Instant nextAttemptAt, String lastError,
                       Instant createdAt, Instant completedAt) {
    }

    public record AttemptRow(UUID deliveryId, int attempt, Instant at, long durationMs, boolean ok, Integer httpStatus, String reply,
                      String error) {
    }

    public record WindowRow(UUID id, UUID ruleId, String siteKey, Instant openedAt, Instant closesAt, boolean closed) {
    }

    public record ItemRow(UUID windowId, UUID alertId, String alertState, String payload, Instant addedAt) {
    }

    private final Jdbi jdbi;

    DeliveryStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Runs {@code work} in one transaction with the marker for (alert, state), unless that change
     * was routed before: then nothing runs and this returns false. Either the marker and every
     * delivery it produced are committed, or none is.
     */
    boolean routeOnce(UUID alertId, String state, Instant now, Consumer<Handle> work) {
        return jdbi.inTransaction(h -> {
            int seen = h.createQuery("SELECT COUNT(*) FROM notification_routed WHERE alert_id = :a AND alert_state = :s")
                    .bind("a", alertId).bind("s", state).mapTo(Integer.class).one();
            if (seen > 0) {
                return false;
            }
            h.createUpdate("INSERT INTO notification_routed (alert_id, alert_state, routed_at) VALUES (:a, :s, :now)")
                    .bind("a", alertId).bind("s", state).bind("now", now).execute();
            work.accept(h);
            return true;
        });
    }

    /**
     * Inserts unless this channel already has a delivery with the same key; true when inserted.
     * (The casts: PostgreSQL refuses a null bound as text for a UUID column; digest and test rows have no alert or rule.)
     */
    static boolean insertIfAbsent(Handle h, DeliveryRow row) {
        int existing = h.createQuery("SELECT COUNT(*) FROM notification_deliveries WHERE channel_id = :c AND dedupe_key = :k")
                .bind("c", row.channelId()).bind("k", row.dedupeKey()).mapTo(Integer.class).one();
        if (existing > 0) {
            return false;
        }
        h.createUpdate("""
                        INSERT INTO notification_deliveries (id, channel_id, dedupe_key, kind, rule_id, alert_id, alert_state, site, payload,
                               status, attempts, next_attempt_at, last_error, created_at, completed_at)
                        VALUES (:id, :channelId, :dedupeKey, :kind, CAST(:ruleId AS UUID), CAST(:alertId AS UUID), :alertState, :site, :payload,
                               :status, :attempts, :nextAttemptAt, :lastError, :createdAt, :completedAt)""")
                .bindMethods(row).execute();
        return true;
    }

    boolean insert(DeliveryRow row) {
        return jdbi.inTransaction(h -> insertIfAbsent(h, row));
    }

    Optional<DeliveryRow> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM notification_deliveries WHERE id = :id")
                .bind("id", id).mapTo(DeliveryRow.class).findOne());
    }

    /** Channels with at least one delivery whose next attempt is due. */
    List<UUID> channelsWithDue(Instant now) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT DISTINCT channel_id FROM notification_deliveries
                        WHERE status = 'pending' AND next_attempt_at <= :now""")
                .bind("now", now).mapTo(UUID.class).list());
    }

    List<DeliveryRow> due(UUID channelId, Instant now, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM notification_deliveries
                        WHERE channel_id = :c AND status = 'pending' AND next_attempt_at <= :now
                        ORDER BY next_attempt_at, created_at LIMIT :limit""")
                .bind("c", channelId).bind("now", now).bind("limit", limit).mapTo(DeliveryRow.class).list());
    }

    /** The soonest next attempt of any pending delivery (the dispatcher sleeps until then). */
    Optional<Instant> nextDue() {
        return jdbi.withHandle(h -> h.createQuery("SELECT MIN(next_attempt_at) FROM notification_deliveries WHERE status = 'pending'")
                .mapTo(Instant.class).findOne());
    }

    /**
     * Logs one attempt and moves the delivery on: to {@code status} with {@code nextAttemptAt}
     * (pending) or {@code completedAt} (delivered, failed). Only a pending row changes, so an
     * attempt that races a deleted channel writes nothing.
     */
    void recordAttempt(AttemptRow attempt, String status, Instant nextAttemptAt, String lastError, Instant completedAt) {
        jdbi.useTransaction(h -> {
            int changed = h.createUpdate("""
                            UPDATE notification_deliveries SET status = :status, attempts = :attempt, next_attempt_at = :next,
                                   last_error = :error, completed_at = :completed
                            WHERE id = :id AND status = 'pending'""")
                    .bind("status", status).bind("attempt", attempt.attempt()).bind("next", nextAttemptAt)
                    .bind("error", Texts.clip(lastError, 2000)).bind("completed", completedAt).bind("id", attempt.deliveryId())
                    .execute();
            if (changed == 1) {
                h.createUpdate("""
                                INSERT INTO notification_attempts (delivery_id, attempt, at, duration_ms, ok, http_status, reply, error)
                                VALUES (:deliveryId, :attempt, :at, :durationMs, :ok, :httpStatus, :reply, :error)""")
                        .bindMethods(attempt)
                        .bind("reply", Texts.clip(attempt.reply(), 1000))
                        .bind("error", Texts.clip(attempt.error(), 2000))
                        .execute();
            }
        });
    }

    /** Newest first; null filters match everything (only the given ones become conditions, so every parameter has a type). */
    List<DeliveryRow> list(UUID channelId, UUID alertId, String status, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM notification_deliveries WHERE 1 = 1");
        if (channelId != null) {
            sql.append(" AND channel_id = :channel");
        }
        if (alertId != null) {
            sql.append(" AND alert_id = :alert");
        }
        if (status != null) {
            sql.append(" AND status = :status");
        }
        sql.append(" ORDER BY created_at DESC, id LIMIT :limit");
        return jdbi.withHandle(h -> {
            var query = h.createQuery(sql.toString()).bind("limit", limit);
            if (channelId != null) {
                query.bind("channel", channelId);
            }
            if (alertId != null) {
                query.bind("alert", alertId);
            }
            if (status != null) {
                query.bind("status", status);
            }
            return query.mapTo(DeliveryRow.class).list();
        });
    }

    Map<UUID, List<AttemptRow>> attempts(Collection<UUID> deliveryIds) {
        Map<UUID, List<AttemptRow>> out = new HashMap<>();
        if (deliveryIds.isEmpty()) {
            return out;
        }
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT delivery_id, attempt, at, duration_ms, ok, http_status, reply, error FROM notification_attempts
                        WHERE delivery_id IN (<ids>) ORDER BY delivery_id, attempt""")
                .bindList("ids", List.copyOf(deliveryIds)).mapTo(AttemptRow.class)
                .forEach(a -> out.computeIfAbsent(a.deliveryId(), k -> new ArrayList<>()).add(a)));
        return out;
    }

    // --- digest windows ---

    /** The open window of (rule, site) that is still collecting at {@code now}, else a new one closing after {@code seconds}. */
    static WindowRow openWindow(Handle h, UUID ruleId, String siteKey, Instant now, int seconds) {
        Optional<WindowRow> open = h.createQuery("""
                        SELECT * FROM notification_digest_windows
                        WHERE rule_id = :rule AND site_key = :site AND closed = FALSE AND closes_at > :now
                        ORDER BY opened_at DESC LIMIT 1""")
                .bind("rule", ruleId).bind("site", siteKey).bind("now", now).mapTo(WindowRow.class).findOne();
        if (open.isPresent()) {
            return open.get();
        }
        WindowRow row = new WindowRow(UUID.randomUUID(), ruleId, siteKey, now, now.plusSeconds(seconds), false);
        h.createUpdate("""
                        INSERT INTO notification_digest_windows (id, rule_id, site_key, opened_at, closes_at, closed)
                        VALUES (:id, :ruleId, :siteKey, :openedAt, :closesAt, :closed)""")
                .bindMethods(row).execute();
        return row;
    }

    static void addItem(Handle h, ItemRow item) {
        h.createUpdate("""
                        INSERT INTO notification_digest_items (window_id, alert_id, alert_state, payload, added_at)
                        VALUES (:windowId, :alertId, :alertState, :payload, :addedAt)""")
                .bindMethods(item).execute();
    }

    List<WindowRow> windowsDue(Instant now) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM notification_digest_windows WHERE closed = FALSE AND closes_at <= :now ORDER BY closes_at""")
                .bind("now", now).mapTo(WindowRow.class).list());
    }

    Optional<Instant> nextWindowClose() {
        return jdbi.withHandle(h -> h.createQuery("SELECT MIN(closes_at) FROM notification_digest_windows WHERE closed = FALSE")
                .mapTo(Instant.class).findOne());
    }

    /** Closes the window once (false if another pass closed it) and hands its items to {@code work} in the same transaction. */
    boolean closeWindow(UUID windowId, java.util.function.BiConsumer<Handle, List<ItemRow>> work) {
        return jdbi.inTransaction(h -> {
            int changed = h.createUpdate("UPDATE notification_digest_windows SET closed = TRUE WHERE id = :id AND closed = FALSE")
                    .bind("id", windowId).execute();
            if (changed != 1) {
                return false;
            }
            List<ItemRow> items = h.createQuery("SELECT * FROM notification_digest_items WHERE window_id = :id ORDER BY added_at, alert_id")
                    .bind("id", windowId).mapTo(ItemRow.class).list();
            work.accept(h, items);
            return true;
        });
    }

    /**
     * Retention: removes finished deliveries (with their attempts) completed before {@code before},
     * closed digest windows opened before it, and routed markers older than {@code routedBefore}
     * (older than any catch-up window, so no replay can need them). Returns the deliveries removed.
     */
    int purge(Instant before, Instant routedBefore) {
        return jdbi.inTransaction(h -> {
            int removed = h.createUpdate("""
                            DELETE FROM notification_deliveries
                            WHERE status IN ('delivered', 'failed') AND completed_at < :before""")
                    .bind("before", before).execute();
            h.createUpdate("DELETE FROM notification_digest_windows WHERE closed = TRUE AND opened_at < :before")
                    .bind("before", before).execute();
            h.createUpdate("DELETE FROM notification_routed WHERE routed_at < :before").bind("before", routedBefore).execute();
            return removed;
        });
    }
}

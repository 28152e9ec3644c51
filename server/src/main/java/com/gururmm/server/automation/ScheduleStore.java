package com.gururmm.server.automation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code schedules} and {@code schedule_runs}. */
final class ScheduleStore {
    private final Jdbi jdbi;

    ScheduleStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** {@code target}: JSON {@link ScheduleService.Target}, null for a policy's task; {@code parameters}: JSON name → text. */
    public record ScheduleRow(UUID id, String name, UUID scriptId, int scriptVersion, String parameters, String target, UUID policyId,
                              String kind, String cron, Integer intervalSeconds, Instant runAt, String timeZone, boolean skipIfMissed,
                              boolean enabled, Instant nextRunAt, UUID ownerId, String createdBy, Instant createdAt, Instant updatedAt) {
    }

    public record RunRow(UUID scheduleId, Instant occurrenceAt, Instant firedAt, UUID batchId, String status, String message, String node) {
    }

    Jdbi jdbi() {
        return jdbi;
    }

    void insert(Handle h, ScheduleRow row) {
        h.createUpdate("""
                        INSERT INTO schedules (id, name, script_id, script_version, parameters, target, policy_id, kind, cron, interval_seconds,
                                               run_at, time_zone, skip_if_missed, enabled, next_run_at, owner_id, created_by, created_at, updated_at)
                        VALUES (:id, :name, :scriptId, :scriptVersion, :parameters, :target, CAST(:policyId AS UUID), :kind, :cron,
                                :intervalSeconds, :runAt, :timeZone, :skipIfMissed, :enabled, :nextRunAt, :ownerId, :createdBy, :createdAt, :updatedAt)""")
                .bindMethods(row).execute();
    }

    void insert(ScheduleRow row) {
        jdbi.useHandle(h -> insert(h, row));
    }

    void update(ScheduleRow row) {
        jdbi.useHandle(h -> update(h, row));
    }

    void update(Handle h, ScheduleRow row) {
        h.createUpdate("""
                        UPDATE schedules SET name = :name, script_version = :scriptVersion, parameters = :parameters, target = :target,
                               kind = :kind, cron = :cron, interval_seconds = :intervalSeconds, run_at = :runAt, time_zone = :timeZone,
                               skip_if_missed = :skipIfMissed, enabled = :enabled, next_run_at = :nextRunAt, owner_id = :ownerId,
                               updated_at = :updatedAt
                        WHERE id = :id""")
                .bindMethods(row).execute();
    }

    boolean delete(UUID id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM schedules WHERE id = :id").bind("id", id).execute()) == 1;
    }

    Optional<ScheduleRow> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM schedules WHERE id = :id").bind("id", id).mapTo(ScheduleRow.class).findOne());
    }

    List<ScheduleRow> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM schedules ORDER BY created_at, id").mapTo(ScheduleRow.class).list());
    }

    List<ScheduleRow> ofPolicy(Handle h, UUID policyId) {
        return h.createQuery("SELECT * FROM schedules WHERE policy_id = :p ORDER BY created_at, id").bind("p", policyId)
                .mapTo(ScheduleRow.class).list();
    }

    List<ScheduleRow> ofPolicy(UUID policyId) {
        return jdbi.withHandle(h -> ofPolicy(h, policyId));
    }

    /** Names of the schedules (policy tasks included) that run {@code scriptId}. */
    List<String> usingScript(UUID scriptId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, name FROM schedules WHERE script_id = :s ORDER BY name")
                .bind("s", scriptId).map((rs, c) -> rs.getString("name") + " (" + rs.getString("id") + ")").list());
    }

    /**
     * The earliest due schedule no other transaction holds, locked for this one: on several
     * server nodes each due occurrence is taken by exactly one ({@code SKIP LOCKED}).
     */
    Optional<ScheduleRow> lockDue(Handle h, Instant now) {
        return h.createQuery("""
                        SELECT * FROM schedules WHERE enabled = TRUE AND next_run_at IS NOT NULL AND next_run_at <= :now
                        ORDER BY next_run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED""")
                .bind("now", now).mapTo(ScheduleRow.class).findOne();
    }

    void advance(Handle h, UUID id, Instant next) {
        h.createUpdate("UPDATE schedules SET next_run_at = :next WHERE id = :id").bind("id", id).bind("next", next).execute();
    }

    /** The occurrence's row: its primary key (schedule, occurrence) makes a second firing of it fail. */
    void insertRun(Handle h, RunRow run) {
        h.createUpdate("""
                        INSERT INTO schedule_runs (schedule_id, occurrence_at, fired_at, batch_id, status, message, node)
                        VALUES (:scheduleId, :occurrenceAt, :firedAt, CAST(:batchId AS UUID), :status, :message, :node)""")
                .bindMethods(run).execute();
    }

    void attachBatch(Handle h, UUID scheduleId, Instant occurrence, UUID batchId) {
        h.createUpdate("UPDATE schedule_runs SET batch_id = :b WHERE schedule_id = :s AND occurrence_at = :o")
                .bind("b", batchId).bind("s", scheduleId).bind("o", occurrence).execute();
    }

    List<RunRow> runs(UUID scheduleId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM schedule_runs WHERE schedule_id = :s ORDER BY occurrence_at DESC LIMIT :limit")
                .bind("s", scheduleId).bind("limit", limit).mapTo(RunRow.class).list());
    }
}

package com.gururmm.server.automation;

import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.batch.BatchService;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due schedules, exactly once per occurrence, on any number of server nodes and across
 * restarts.
 *
 * <p>Algorithm, one transaction per occurrence: lock the earliest due schedule with
 * {@code SELECT ... FOR UPDATE SKIP LOCKED} (a schedule another node is firing is skipped, not
 * waited for); insert the occurrence's row in {@code schedule_runs}, whose primary key
 * (schedule, occurrence time) refuses a second one; create the batch, its queued commands and the
 * script-run record; move {@code next_run_at} on; commit. Only then are the commands sent to
 * online agents (offline ones get them when they connect, from the durable queue). A crash
 * before the commit leaves nothing behind and the occurrence is fired after the restart; a
 * crash after it leaves the occurrence done and its commands queued. So no occurrence is lost
 * or doubled, whatever stops when.
 *
 * <p>An occurrence found more than {@link #GRACE} late (the server was down) runs once, late,
 * unless the schedule says {@code skip_if_missed}: then it is recorded {@code missed}. Several
 * missed occurrences of one schedule are not replayed one by one: the next occurrence is the
 * first one after now. With {@code skip_if_missed} a queued command expires when the next
 * occurrence is due (at most a day; a one-off's after {@link #ONE_OFF_EXPIRY}), so an agent
 * that was offline does not run a stale occurrence when it returns.
 */
final class Scheduler {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    static final Duration GRACE = Duration.ofSeconds(60);
    static final Duration ONE_OFF_EXPIRY = Duration.ofMinutes(5);
    private static final int MAX_PER_TICK = 200;

    private final ScheduleService schedules;
    private final ScriptService scripts;
    private final BatchService batches;
    private final AuditLog audit;
    private final Clock clock;
    private final String node;

    Scheduler(ScheduleService schedules, ScriptService scripts, BatchService batches, AuditLog audit, Clock clock, String node) {
        this.schedules = schedules;
        this.scripts = scripts;
        this.batches = batches;
        this.audit = audit;
        this.clock = clock;
        this.node = node;
    }

    /** Fires every due occurrence; returns how many were handled. */
    int tick() {
        int handled = 0;
        while (handled < MAX_PER_TICK) {
            Optional<Fired> fired = fireOne();
            if (fired.isEmpty()) {
                break;
            }
            handled++;
            Fired f = fired.get();
            if (f.created() != null) {
                batches.afterCommit(f.created());
            }
            audit.record("scheduler", "schedule.fire", f.row().id().toString(), f.occurrence() + " " + f.status()
                    + (f.created() != null ? " batch=" + f.created().batchId() + " agents=" + f.created().agentCount() : "")
                    + (f.message() != null ? ": " + f.message() : ""));
            log.info("schedule {} occurrence {}: {}{}", f.row().id(), f.occurrence(), f.status(),
                    f.created() != null ? " (batch " + f.created().batchId() + ", " + f.created().agentCount() + " agents)" : ": " + f.message());
        }
        return handled;
    }

    private record Fired(ScheduleStore.ScheduleRow row, Instant occurrence, String status, String message, BatchService.Created created) {
    }

    private Optional<Fired> fireOne() {
        ScheduleStore store = schedules.store();
        return store.jdbi().inTransaction(h -> {
            Instant now = clock.instant();
            Optional<ScheduleStore.ScheduleRow> due = store.lockDue(h, now);
            if (due.isEmpty()) {
                return Optional.<Fired>empty();
            }
            ScheduleStore.ScheduleRow row = due.get();
            Instant occurrence = row.nextRunAt();
            Timing timing = ScheduleService.timing(row);
            Instant next = timing.nextAfter(occurrence, now).orElse(null);
            Duration late = Duration.between(occurrence, now);
            store.insertRun(h, new ScheduleStore.RunRow(row.id(), occurrence, now, null, "submitted", null, node));
            String status = "submitted";
            String message = null;
            BatchService.Created created = null;
            if (late.compareTo(GRACE) > 0 && row.skipIfMissed()) {
                status = "missed";
                message = "the server was not running at " + occurrence + " (found " + late.toSeconds() + " s late) and the schedule skips missed runs";
            } else {
                try {
                    ScheduleService.Occurrence o = schedules.prepareOccurrence(row);
                    Instant expires = row.skipIfMissed() ? expiry(now, next) : null;
                    created = scripts.launch(h, o.owner(), o.script(), o.prepared(), o.values(), row.id(), expires);
                    store.attachBatch(h, row.id(), occurrence, created.batchId());
                    if (late.compareTo(GRACE) > 0) {
                        message = "ran " + late.toSeconds() + " s late: the server was not running at " + occurrence;
                    }
                } catch (ApiException e) {
                    status = "failed";
                    message = e.getMessage();
                }
            }
            if (!status.equals("submitted") || message != null) {
                h.createUpdate("UPDATE schedule_runs SET status = :s, message = :m WHERE schedule_id = :id AND occurrence_at = :o")
                        .bind("s", status).bind("m", message == null ? null : message.length() > 2000 ? message.substring(0, 2000) : message)
                        .bind("id", row.id()).bind("o", occurrence).execute();
            }
            store.advance(h, row.id(), next);
            return Optional.of(new Fired(row, occurrence, status, message, created));
        });
    }

    private static Instant expiry(Instant now, Instant next) {
        if (next == null) {
            return now.plus(ONE_OFF_EXPIRY);
        }
        Instant cap = now.plus(Duration.ofDays(1));
        return next.isAfter(cap) ? cap : next;
    }
}

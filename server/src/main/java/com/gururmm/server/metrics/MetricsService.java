package com.gururmm.server.metrics;

import com.gururmm.protocol.api.Metrics.LatestMetrics;
import com.gururmm.protocol.api.Metrics.MetricSeries;
import com.gururmm.protocol.wire.AgentMessage.MetricsReport;
import com.gururmm.protocol.wire.MetricSample;
import com.gururmm.protocol.wire.ServerMessage.MetricsAck;
import com.gururmm.server.events.EventBus;
import com.gururmm.server.events.MetricsReceived;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metrics ingestion, reading and upkeep (issue 9).
 *
 * <p>Ingest: each sample of a batch is checked ({@link SampleValidator}), quantized and stored at
 * most once per (agent, second); the stored ones are published as {@link MetricsReceived} in time
 * order, and the newest becomes the agent's latest. The batch is acknowledged whatever happened
 * to its samples, so a refused sample is not resent forever.
 *
 * <p>Storage: samples are rows of {@code metric_recent} until their hour is over; then
 * {@link #maintain()} packs each agent's hour into one {@code metric_hour} row with its
 * hourly rollups ({@link Rollups}), and deletes whatever is older than the retention, in bounded
 * batches. Reads with a step of an hour or more use only the rollups, so a 30-day chart reads 720
 * small values per agent.
 */
public final class MetricsService {
    private static final Logger log = LoggerFactory.getLogger(MetricsService.class);
    /** A chart has at most this many points; a range that needs more is refused with the step that would fit. */
    public static final int MAX_POINTS = 5000;
    /** From this step up only the hourly rollups are read. */
    public static final long ROLLUP_FROM_STEP = Rollups.BUCKET_SECONDS;
    /** An hour is packed this long after it ends, so the last minute's samples (and a little lateness) are in. */
    static final Duration PACK_GRACE = Duration.ofMinutes(2);
    private static final int PACK_AGENTS_PER_RUN = 2000;
    private static final int DELETE_BATCH = 5000;
    private static final int DELETE_BATCHES_PER_RUN = 40;

    private final MetricStore store;
    private final EventBus bus;
    private final Clock clock;
    private final Duration retention;
    private final SampleValidator validator;
    /** Group commit of every connection's batches (and the bound on metrics writes in flight). */
    private final GroupWriter writer;

    public MetricsService(MetricStore store, EventBus bus, Clock clock, Duration retention) {
        this.store = store;
        this.bus = bus;
        this.clock = clock;
        this.retention = retention;
        this.validator = new SampleValidator(retention);
        this.writer = new GroupWriter(store);
    }

    /** Stops the group writer; batches still queued are answered with an error (their agents resend). */
    public void close() {
        writer.close();
    }

    public Duration retention() {
        return retention;
    }

    public MetricStore store() {
        return store;
    }

    /** Stores a batch; the answer goes back to the agent as is. Throws only when the database does (then nothing is acknowledged). */
    public MetricsAck ingest(UUID agentId, MetricsReport report) {
        Instant now = clock.instant();
        List<String> problems = new ArrayList<>();
        TreeMap<Long, SampleValidator.Accepted> accepted = new TreeMap<>();
        int refused = 0;
        int duplicates = 0;
        for (MetricSample sample : report.samples()) {
            SampleValidator.Outcome outcome = validator.check(sample, now);
            problems.addAll(outcome.problems());
            if (outcome.accepted() == null) {
                refused++;
            } else if (accepted.putIfAbsent(outcome.accepted().time(), outcome.accepted()) != null) {
                duplicates++; // two samples in the same second: the first one counts
            }
        }
        removeAlreadyPacked(agentId, accepted, now);
        duplicates += report.samples().size() - refused - duplicates - accepted.size();
        List<SampleValidator.Accepted> candidates = new ArrayList<>(accepted.values());
        List<MetricStore.Row> rows = new ArrayList<>(candidates.size());
        for (SampleValidator.Accepted a : candidates) {
            rows.add(new MetricStore.Row(a.time(), SampleCodec.encode(SampleCodec.Frame.single(a.time(), a.values()), false)));
        }
        boolean[] inserted = writer.write(agentId, rows);
        int stored = 0;
        for (int i = 0; i < inserted.length; i++) {
            if (inserted[i]) {
                stored++;
                SampleValidator.Accepted a = candidates.get(i);
                bus.publish(MetricsReceived.TOPIC, new MetricsReceived(agentId, Instant.ofEpochSecond(a.time()), a.values()));
            } else {
                duplicates++;
            }
        }
        String reason = null;
        if (!problems.isEmpty()) {
            reason = problems.size() == 1 ? problems.get(0) : problems.get(0) + " (and " + (problems.size() - 1) + " more)";
            log.info("agent {}: metrics batch {}: {} stored, {} refused; {}", agentId, report.batchId(), stored, refused,
                    String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
        }
        return new MetricsAck(report.batchId(), stored, duplicates, refused, reason);
    }

    /** A resent sample of an hour already packed is a duplicate too (rare: a backlog older than an hour). */
    private void removeAlreadyPacked(UUID agentId, TreeMap<Long, SampleValidator.Accepted> accepted, Instant now) {
        long packedBefore = hourOf(now.minus(PACK_GRACE).getEpochSecond());
        Map<Long, Set<Long>> packedTimes = new HashMap<>();
        accepted.headMap(packedBefore).keySet().removeIf(time -> packedTimes.computeIfAbsent(hourOf(time), hour -> {
            Set<Long> times = new HashSet<>();
            store.hour(agentId, hour).ifPresent(row -> {
                for (long t : SampleCodec.decode(row.blob()).times()) {
                    times.add(t);
                }
            });
            return times;
        }).contains(time));
    }

    static long hourOf(long epochSecond) {
        return Math.floorDiv(epochSecond, 3600) * 3600;
    }

    /** The newest sample per agent (absent for agents that never sent one). */
    public Map<UUID, LatestMetrics> latest(Collection<UUID> agentIds) {
        Map<UUID, LatestMetrics> out = new HashMap<>();
        store.latest(agentIds).forEach((id, l) -> out.put(id, new LatestMetrics(Instant.ofEpochSecond(l.time()),
                new TreeMap<>(SampleCodec.decode(l.payload()).row(0)))));
        return out;
    }

    /** Series for [from, to) in buckets of {@code step} seconds; the caller has validated the three. */
    public MetricSeries query(UUID agentId, long from, long to, long step) {
        long start = Math.floorDiv(from, step) * step;
        int points = (int) ((to - start + step - 1) / step);
        Rollups.Buckets buckets = new Rollups.Buckets(start, step, points);
        boolean raw = step < ROLLUP_FROM_STEP;
        for (MetricStore.HourRow hour : store.hours(agentId, hourOf(from), to, raw)) {
            SampleCodec.Frame frame = SampleCodec.decode(hour.blob());
            if (raw) {
                buckets.addSamples(frame, from, to);
            } else {
                buckets.addRollups(frame, from, to);
            }
        }
        for (MetricStore.Row row : store.recent(agentId, from, to)) {
            buckets.addSamples(SampleCodec.decode(row.payload()), from, to);
        }
        return buckets.toSeries(agentId, from, to, raw ? "raw" : "rollup_1h");
    }

    /** What one upkeep run did. */
    public record Upkeep(int hoursPacked, int samplesPacked, int hoursDeleted, int recentDeleted) {
    }

    /** Packs finished hours and applies the retention, each in bounded steps; safe to run at any time, and concurrently with ingestion. */
    public Upkeep maintain() {
        Instant now = clock.instant();
        long packBefore = hourOf(now.minus(PACK_GRACE).getEpochSecond());
        int hoursPacked = 0;
        int samplesPacked = 0;
        for (UUID agentId : store.agentsWithRecentBefore(packBefore, PACK_AGENTS_PER_RUN)) {
            Map<Long, List<MetricStore.Row>> byHour = new TreeMap<>();
            for (MetricStore.Row row : store.recent(agentId, Long.MIN_VALUE / 2, packBefore)) {
                byHour.computeIfAbsent(hourOf(row.time()), h -> new ArrayList<>()).add(row);
            }
            for (Map.Entry<Long, List<MetricStore.Row>> entry : byHour.entrySet()) {
                samplesPacked += packHour(agentId, entry.getKey(), entry.getValue());
                hoursPacked++;
            }
        }
        long cutoff = now.minus(retention).getEpochSecond();
        int hoursDeleted = 0;
        int recentDeleted = 0;
        for (int i = 0; i < DELETE_BATCHES_PER_RUN; i++) {
            // Whole hours only: an hour is kept while any of it is inside the retention.
            int n = store.deleteHoursBefore(cutoff - 3599, DELETE_BATCH);
            hoursDeleted += n;
            if (n < DELETE_BATCH) {
                break;
            }
        }
        for (int i = 0; i < DELETE_BATCHES_PER_RUN; i++) {
            int n = store.deleteRecentBefore(cutoff, DELETE_BATCH);
            recentDeleted += n;
            if (n < DELETE_BATCH) {
                break;
            }
        }
        store.deleteLatestBefore(cutoff);
        if (hoursPacked + hoursDeleted + recentDeleted > 0) {
            log.info("metrics upkeep: packed {} agent-hours ({} samples), deleted {} hours and {} samples past the {}-day retention",
                    hoursPacked, samplesPacked, hoursDeleted, recentDeleted, retention.toDays());
        }
        return new Upkeep(hoursPacked, samplesPacked, hoursDeleted, recentDeleted);
    }

    private int packHour(UUID agentId, long hourStart, List<MetricStore.Row> rows) {
        TreeMap<Long, Map<String, Double>> samples = new TreeMap<>();
        store.hour(agentId, hourStart).ifPresent(existing -> {
            SampleCodec.Frame frame = SampleCodec.decode(existing.blob());
            for (int i = 0; i < frame.rows(); i++) {
                samples.put(frame.times()[i], frame.row(i));
            }
        });
        for (MetricStore.Row row : rows) {
            samples.putIfAbsent(row.time(), SampleCodec.decode(row.payload()).row(0));
        }
        SampleCodec.Frame frame = SampleCodec.fromRows(new ArrayList<>(samples.keySet()), new ArrayList<>(samples.values()));
        store.pack(agentId, hourStart, frame.rows(), SampleCodec.encode(frame), SampleCodec.encode(Rollups.of(frame)),
                hourStart, hourStart + 3600);
        return rows.size();
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.api.Metrics.MetricSeries;
import com.gururmm.protocol.wire.AgentMessage.MetricsReport;
import com.gururmm.protocol.wire.MetricSample;
import com.gururmm.protocol.wire.ServerMessage.MetricsAck;
import com.gururmm.server.db.Database;
import com.gururmm.server.events.InProcessEventBus;
import com.gururmm.server.events.MetricsReceived;
import com.gururmm.server.metrics.MetricStore;
import com.gururmm.server.metrics.MetricsService;
import com.gururmm.testkit.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Metrics storage on the real migrations, H2 and PostgreSQL: idempotence, packing, rollups, retention. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class MetricsStoreTest {
    @Parameter
    TestDatabase.Kind kind;
    private TestDatabase testDb;
    private Database db;
    private InProcessEventBus bus;
    private final UUID agent = UUID.randomUUID();
    /** A whole hour, so the test's hours are the store's hours. */
    private final Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).plusSeconds(1800);

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(kind);
        db = Database.open(testDb.jdbcUrl(), "", "");
        bus = new InProcessEventBus();
    }

    @AfterEach
    void close() {
        bus.close();
        db.close();
        testDb.close();
    }

    private MetricsService at(Instant instant) {
        return new MetricsService(new MetricStore(db.jdbi()), bus, Clock.fixed(instant, ZoneOffset.UTC), Duration.ofDays(30));
    }

    private static MetricsReport batch(List<MetricSample> samples) {
        return new MetricsReport(UUID.randomUUID(), samples);
    }

    /** One sample a minute for {@code minutes} minutes ending at {@code end}; cpu = minute index % 50, disk constant. */
    private static List<MetricSample> minutes(Instant end, int minutes) {
        List<MetricSample> out = new ArrayList<>();
        for (int i = minutes; i > 0; i--) {
            Instant at = end.minusSeconds(60L * i);
            out.add(new MetricSample(at, Map.of("cpu.percent", (double) ((at.getEpochSecond() / 60) % 50), "memory.total_bytes", 8.0e9,
                    "disk.percent:/", 41.25)));
        }
        return out;
    }

    private static void ingestAll(MetricsService service, UUID agent, List<MetricSample> samples) {
        for (int i = 0; i < samples.size(); i += MetricSample.MAX_PER_BATCH) {
            service.ingest(agent, batch(samples.subList(i, Math.min(samples.size(), i + MetricSample.MAX_PER_BATCH))));
        }
    }

    @Test
    void aResentBatchIsStoredOnceAndPublishedOnce() {
        MetricsService service = at(now);
        List<MetricsReceived> events = new CopyOnWriteArrayList<>();
        bus.subscribe(MetricsReceived.TOPIC, events::add);
        List<MetricSample> samples = minutes(now, 5);
        MetricsAck first = service.ingest(agent, batch(samples));
        MetricsAck again = service.ingest(agent, batch(samples));
        assertThat(first.stored()).isEqualTo(5);
        assertThat(again.stored()).isZero();
        assertThat(again.duplicates()).isEqualTo(5);
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> events.size() >= 5);
        assertThat(events).extracting(MetricsReceived::sampledAt).doesNotHaveDuplicates().hasSize(5);
        assertThat(service.latest(List.of(agent)).get(agent).sampledAt()).isEqualTo(samples.get(4).at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    @Test
    void packedHoursReadBackAsTheSamplesAndTheirRollups() {
        MetricsService service = at(now);
        List<MetricSample> samples = minutes(now, 6 * 60);
        ingestAll(service, agent, samples);
        MetricSeries before = service.query(agent, now.minusSeconds(6 * 3600).getEpochSecond(), now.getEpochSecond(), 60);

        MetricsService.Upkeep upkeep = service.maintain();
        assertThat(upkeep.hoursPacked()).isGreaterThanOrEqualTo(5);
        assertThat(service.store().rowCounts().get("metric_recent")).isLessThan(60L);
        // A batch resent after its hour was packed: nothing new.
        assertThat(service.ingest(agent, batch(samples.subList(0, 10))).stored()).isZero();

        MetricSeries raw = service.query(agent, now.minusSeconds(6 * 3600).getEpochSecond(), now.getEpochSecond(), 60);
        assertThat(raw.source()).isEqualTo("raw");
        assertThat(raw.series()).isEqualTo(before.series());
        for (int i = 0; i < samples.size(); i++) {
            int k = raw.timestamps().indexOf(samples.get(i).at().getEpochSecond());
            assertThat(raw.series().get("cpu.percent").get(k)).isEqualTo(samples.get(i).values().get("cpu.percent"));
        }

        long from = now.minusSeconds(6 * 3600).getEpochSecond();
        MetricSeries hourly = service.query(agent, from, now.getEpochSecond(), 3600);
        assertThat(hourly.source()).isEqualTo("rollup_1h");
        for (int k = 0; k < hourly.timestamps().size(); k++) {
            long start = hourly.timestamps().get(k);
            double[] expected = samples.stream().filter(s -> s.at().getEpochSecond() >= Math.max(start, from)
                            && s.at().getEpochSecond() < start + 3600)
                    .mapToDouble(s -> s.values().get("cpu.percent")).toArray();
            if (expected.length == 0) {
                assertThat(hourly.series().get("cpu.percent").get(k)).isNull();
                continue;
            }
            double avg = java.util.Arrays.stream(expected).average().orElseThrow();
            assertThat(hourly.series().get("cpu.percent").get(k)).as("hour " + start).isCloseTo(avg, org.assertj.core.data.Offset.offset(0.02));
            assertThat(hourly.min().get("cpu.percent").get(k)).isEqualTo(java.util.Arrays.stream(expected).min().orElseThrow());
            assertThat(hourly.max().get("cpu.percent").get(k)).isEqualTo(java.util.Arrays.stream(expected).max().orElseThrow());
            assertThat(hourly.series().get("disk.percent:/").get(k)).isEqualTo(41.25);
        }
    }

    @Test
    void retentionDeletesExpiredSamplesAndKeepsTheRest() {
        Instant past = now.minus(Duration.ofDays(40));
        MetricsService then = at(past);
        ingestAll(then, agent, minutes(past, 3 * 60));
        then.maintain(); // packs the old hours, as a server running back then would have
        ingestAll(then, agent, minutes(past.plusSeconds(600), 5)); // and leaves a few unpacked
        UUID other = UUID.randomUUID();
        MetricsService today = at(now);
        ingestAll(today, other, minutes(now, 10));
        Map<String, Long> before = today.store().rowCounts();
        assertThat(before.get("metric_hour")).isGreaterThanOrEqualTo(3);

        MetricsService.Upkeep upkeep = today.maintain();
        assertThat(upkeep.hoursDeleted()).isGreaterThanOrEqualTo(3);
        Map<String, Long> after = today.store().rowCounts();
        assertThat(after.get("metric_hour")).isZero();
        assertThat(after.get("metric_recent")).isEqualTo(10);
        assertThat(today.query(agent, past.minusSeconds(4 * 3600).getEpochSecond(), past.plusSeconds(3600).getEpochSecond(), 300)
                .series()).isEmpty();
        assertThat(today.query(other, now.minusSeconds(3600).getEpochSecond(), now.getEpochSecond(), 60).series().get("cpu.percent")
                .stream().filter(java.util.Objects::nonNull).count()).isEqualTo(10);
        assertThat(today.latest(List.of(agent, other))).containsOnlyKeys(other);
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Metrics.MetricSeries;
import com.gururmm.protocol.metrics.MetricName;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.MetricSample;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.server.events.MetricsReceived;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Metrics end to end: a real agent's samples, offline buffering, hostile frames and bad route input. */
class MetricsTest {

    private static AgentProcess fastAgent(Fleet fleet) {
        AgentProcess agent = AgentProcess.create(fleet.server().url(), fleet.server().enrollmentToken())
                .env("GURURMM_METRICS_INTERVAL_SECONDS", "1");
        fleet.track(agent).start().awaitOnline(fleet.admin());
        return agent;
    }

    private static MetricSeries lastMinutes(GuruClient client, UUID agent, int minutes) {
        Instant now = Instant.now();
        return client.agentMetrics(agent, now.minusSeconds(60L * minutes), now.plusSeconds(5), 1L);
    }

    private static List<Long> present(MetricSeries series, String name) {
        List<Double> values = series.series().getOrDefault(name, List.of());
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) != null) {
                out.add(series.timestamps().get(i));
            }
        }
        return out;
    }

    private static double procUptime() throws Exception {
        return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
    }

    @Test
    void aRealAgentsSamplesReadBackWithTheMachinesOwnValues() throws Exception {
        try (Fleet fleet = Fleet.start(TestDatabase.Kind.H2)) {
            UUID id = fastAgent(fleet).agentId();
            Awaitility.await("three samples stored").atMost(Duration.ofSeconds(40))
                    .until(() -> present(lastMinutes(fleet.admin(), id, 2), MetricName.CPU_PERCENT).size() >= 3);
            MetricSeries series = lastMinutes(fleet.admin(), id, 2);
            assertThat(series.source()).isEqualTo("raw");
            assertThat(series.stepSeconds()).isEqualTo(1);
            // The agent runs on this machine: its figures are this machine's, as Linux reports them.
            long memTotalKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
            List<Double> memTotal = series.series().get(MetricName.MEMORY_TOTAL_BYTES);
            assertThat(memTotal.stream().filter(Objects::nonNull)).isNotEmpty().allMatch(v -> v == memTotalKb * 1024.0);
            List<Long> times = present(series, MetricName.UPTIME_SECONDS);
            long last = times.get(times.size() - 1);
            double uptimeThen = series.series().get(MetricName.UPTIME_SECONDS).get(series.timestamps().indexOf(last));
            double expected = procUptime() - (Instant.now().getEpochSecond() - last);
            assertThat(uptimeThen).isCloseTo(expected, Offset.offset(3.0));
            double rootTotal = Files.getFileStore(Path.of("/")).getTotalSpace();
            assertThat(series.series().get("disk.total_bytes:/").stream().filter(Objects::nonNull))
                    .isNotEmpty().allMatch(v -> v == rootTotal);
            assertThat(series.series().get(MetricName.CPU_PERCENT).stream().filter(Objects::nonNull)).allMatch(v -> v >= 0 && v <= 100);
            assertThat(series.series().keySet()).allMatch(MetricName::isKnown)
                    .contains(MetricName.LOAD_1, MetricName.MEMORY_PERCENT, MetricName.SWAP_TOTAL_BYTES, MetricName.NET_RX_BYTES_PER_SECOND,
                            MetricName.NET_TX_BYTES_PER_SECOND, MetricName.USERS_COUNT, "disk.percent:/")
                    .noneMatch(k -> k.endsWith(":/proc") || k.endsWith(":/dev/shm") || k.endsWith(":/sys/fs/cgroup"));
            // The fleet listing and the agent page carry the newest sample, for the CPU / memory / disk columns.
            var listed = fleet.admin().agents().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
            assertThat(listed.metrics()).isNotNull();
            assertThat(listed.metrics().values().get(MetricName.MEMORY_TOTAL_BYTES)).isEqualTo(memTotalKb * 1024.0);
            assertThat(listed.metrics().sampledAt()).isAfterOrEqualTo(Instant.ofEpochSecond(last));
            assertThat(fleet.admin().agent(id).metrics().values()).containsKey("disk.percent:/");
        }
    }

    @Test
    void samplesTakenWhileTheServerIsDownArriveOnceAfterItReturns() throws Exception {
        try (Fleet fleet = Fleet.start(TestDatabase.Kind.H2)) {
            AgentProcess agent = fastAgent(fleet);
            UUID id = agent.agentId();
            Awaitility.await().atMost(Duration.ofSeconds(40)).until(() -> !present(lastMinutes(fleet.admin(), id, 2), MetricName.CPU_PERCENT).isEmpty());
            Path buffer = agent.stateDir().resolve("metrics");
            fleet.server().stop();
            Awaitility.await("samples buffered while offline").atMost(Duration.ofSeconds(30)).until(() -> bufferedSeconds(buffer).size() >= 5);
            Set<Long> offline = bufferedSeconds(buffer);

            fleet.server().startAgain();
            List<MetricsReceived> events = new CopyOnWriteArrayList<>();
            fleet.server().server().bus().subscribe(MetricsReceived.TOPIC, e -> {
                if (e.agentId().equals(id)) {
                    events.add(e);
                }
            });
            GuruClient admin = fleet.server().adminClient();
            Awaitility.await("offline samples delivered").atMost(Duration.ofSeconds(60))
                    .until(() -> present(lastMinutes(admin, id, 3), MetricName.CPU_PERCENT).containsAll(offline));
            Awaitility.await("buffer drained").atMost(Duration.ofSeconds(20)).until(() -> bufferedSeconds(buffer).size() <= 2);
            assertThat(events).extracting(MetricsReceived::sampledAt).doesNotHaveDuplicates();
            assertThat(events.stream().map(e -> e.sampledAt().getEpochSecond()).collect(Collectors.toSet())).containsAll(
                    offline.stream().filter(t -> events.stream().anyMatch(e -> e.sampledAt().getEpochSecond() <= t)).toList());
            // Stored once each: the packed-or-recent rows hold exactly one sample per second.
            MetricSeries series = lastMinutes(admin, id, 3);
            List<Long> times = present(series, MetricName.CPU_PERCENT);
            assertThat(times).doesNotHaveDuplicates();
            assertThat(fleet.server().server().metrics().store().rowCounts().get("metric_recent")).isEqualTo(times.size());
        }
    }

    private static Set<Long> bufferedSeconds(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+\\.json"))
                    .map(n -> Long.parseLong(n.substring(0, n.length() - 5)) / 1000).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void absurdSamplesAreRefusedWithAReasonAndAnotherAgentIsUnaffected() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            RawAgent hostile = RawAgent.enroll(server);
            RawAgent honest = RawAgent.enroll(server);
            hostile.hello();
            honest.hello();
            long now = Instant.now().getEpochSecond();
            UUID batch = UUID.randomUUID();
            // Hand-written JSON: what a broken or hostile agent could send, not what Wire.encode would.
            hostile.send("""
                    {"type":"metrics_report","batch_id":"%s","samples":[
                      {"at":"%s","values":{"cpu.percent":250,"memory.percent":-3,"load.1":"NaN","swap.percent":"Infinity",
                                           "memory.used_bytes":1e300,"no.such.metric":1,"users.count":2}},
                      {"at":"%s","values":{"cpu.percent":10}},
                      {"at":"%s","values":{"cpu.percent":10}},
                      {"at":null,"values":{"cpu.percent":10}},
                      {"at":"%s","values":{}}
                    ]}""".formatted(batch, Instant.ofEpochSecond(now - 10), Instant.ofEpochSecond(now + 86_400),
                    Instant.ofEpochSecond(now - 400L * 86_400), Instant.ofEpochSecond(now - 5)));
            ServerMessage.MetricsAck ack = (ServerMessage.MetricsAck) hostile.next();
            assertThat(ack.batchId()).isEqualTo(batch);
            assertThat(ack.stored()).isEqualTo(1);
            assertThat(ack.refused()).isEqualTo(4);
            assertThat(ack.reason()).contains("cpu.percent is 250.0");

            honest.send(new AgentMessage.MetricsReport(UUID.randomUUID(), List.of(new MetricSample(Instant.ofEpochSecond(now - 10),
                    Map.of(MetricName.CPU_PERCENT, 12.5, MetricName.LOAD_1, 0.42)))));
            ServerMessage.MetricsAck honestAck = (ServerMessage.MetricsAck) honest.next();
            assertThat(honestAck.stored()).isEqualTo(1);
            assertThat(honestAck.refused()).isZero();

            // Too many samples in one frame: refused whole, nothing stored, the connection stays usable.
            List<MetricSample> flood = new ArrayList<>();
            for (int i = 0; i < MetricSample.MAX_PER_BATCH + 1; i++) {
                flood.add(new MetricSample(Instant.ofEpochSecond(now - 1000 + i), Map.of(MetricName.CPU_PERCENT, 1.0)));
            }
            hostile.send(new AgentMessage.MetricsReport(UUID.randomUUID(), flood));
            assertThat(hostile.next()).isInstanceOfSatisfying(ServerMessage.Refused.class, r -> assertThat(r.error()).isEqualTo("invalid_message"));
            hostile.send("{\"type\":\"metrics_report\",\"batch_id\":\"" + UUID.randomUUID() + "\",\"samples\":\"lots\"}");
            assertThat(hostile.next()).isInstanceOfSatisfying(ServerMessage.Refused.class, r -> assertThat(r.error()).isEqualTo("malformed_frame"));

            GuruClient admin = server.adminClient();
            MetricSeries bad = admin.agentMetrics(hostile.agentId, Instant.ofEpochSecond(now - 60), Instant.ofEpochSecond(now + 60), 1L);
            assertThat(bad.series()).containsOnlyKeys(MetricName.USERS_COUNT);
            MetricSeries good = admin.agentMetrics(honest.agentId, Instant.ofEpochSecond(now - 60), Instant.ofEpochSecond(now + 60), 1L);
            assertThat(good.series().get(MetricName.CPU_PERCENT)).contains(12.5);
            assertThat(good.series().get(MetricName.LOAD_1)).contains(0.42);
        }
    }

    @Test
    void aLongRangeIsReadFromRollups() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            RawAgent agent = RawAgent.enroll(server);
            agent.hello();
            long now = Instant.now().getEpochSecond();
            long end = Math.floorDiv(now, 3600) * 3600 - 3600; // a finished hour, packed by the upkeep
            List<MetricSample> samples = new ArrayList<>();
            for (long t = end - 10 * 3600; t < end; t += 60) {
                samples.add(new MetricSample(Instant.ofEpochSecond(t), Map.of(MetricName.CPU_PERCENT, (double) ((t / 3600) % 10) * 10,
                        "disk.percent:/", 50.0)));
            }
            for (int i = 0; i < samples.size(); i += MetricSample.MAX_PER_BATCH) {
                agent.send(new AgentMessage.MetricsReport(UUID.randomUUID(), samples.subList(i, Math.min(samples.size(), i + MetricSample.MAX_PER_BATCH))));
                assertThat(agent.next()).isInstanceOf(ServerMessage.MetricsAck.class);
            }
            assertThat(server.server().metrics().maintain().hoursPacked()).isEqualTo(10);
            GuruClient admin = server.adminClient();
            MetricSeries month = admin.agentMetrics(agent.agentId, Instant.ofEpochSecond(now - 30L * 86_400), Instant.ofEpochSecond(now), 3600L);
            assertThat(month.source()).isEqualTo("rollup_1h");
            assertThat(month.timestamps()).hasSize(721);
            for (int k = 0; k < month.timestamps().size(); k++) {
                long hour = month.timestamps().get(k);
                Double cpu = month.series().get(MetricName.CPU_PERCENT).get(k);
                if (hour >= end - 10 * 3600 && hour < end) {
                    assertThat(cpu).as("hour " + hour).isEqualTo((double) ((hour / 3600) % 10) * 10);
                } else {
                    assertThat(cpu).as("hour " + hour).isNull();
                }
            }
        }
    }

    @Test
    void theRouteRefusesBadInputNamingTheField() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            RawAgent agent = RawAgent.enroll(server);
            GuruClient admin = server.adminClient();
            String base = "/api/agents/" + agent.agentId + "/metrics";
            Map<String, String> cases = Map.of(
                    "?from=yesterday", "'from'",
                    "?to=12abc", "'to'",
                    "?step=0", "'step'",
                    "?step=ten", "'step'",
                    "?from=2000&to=1000", "'from'",
                    "?from=0&to=100000000&step=60", "step of at least",
                    "?from=-5", "'from'",
                    "?to=99999999999999", "'to'");
            cases.forEach((query, expected) -> {
                GuruClient.RawResponse response = admin.raw("GET", base + query, null, Map.of());
                assertThat(response.status()).as(query + ": " + response.body()).isEqualTo(400);
                assertThat(response.body()).as(query).contains(expected);
            });
            assertThat(admin.raw("GET", "/api/agents/" + UUID.randomUUID() + "/metrics", null, Map.of()).status()).isEqualTo(404);
            assertThat(admin.raw("GET", "/api/agents/not-a-uuid/metrics", null, Map.of()).status()).isEqualTo(400);
            MetricSeries empty = admin.agentMetrics(agent.agentId, null, null, null);
            assertThat(empty.stepSeconds()).isEqualTo(60);
            assertThat(empty.series()).isEmpty();
            assertThat(empty.timestamps()).hasSizeBetween(60, 62);
            try {
                admin.agentMetrics(agent.agentId, Instant.now(), Instant.now().minusSeconds(10), 60L);
                throw new AssertionError("expected a 400");
            } catch (GuruApiException e) {
                assertThat(e.getMessage()).contains("'from'");
            }
        }
    }
}

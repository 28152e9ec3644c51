package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.protocol.api.Notifications.ChannelRequest;
import com.gururmm.protocol.api.Notifications.ChannelView;
import com.gururmm.protocol.api.Notifications.RuleRequest;
import com.gururmm.protocol.api.Schedules.ScheduleRequest;
import com.gururmm.protocol.api.Schedules.ScheduleRun;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.metrics.MetricName;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.ServerProcess;
import com.gururmm.testkit.TestDatabase;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real server nodes on the real PostgreSQL and NATS, one real agent on node A sampling
 * metrics every second. A threshold that every sample breaches (created on C) opens one alert row,
 * and the webhook (rule on B, a real HTTP receiver on loopback) is called once; a schedule (created
 * on B) fires once per occurrence: the agent runs one command per occurrence, never one per node.
 */
@Timeout(300)
class ClusterRunsOnceTest {
    private static final String NATS = "nats://127.0.0.1:4222";

    @Test
    void withThreeNodesAThresholdAlertIsRaisedAndNotifiedOnceAndAScheduleFiresOncePerOccurrence() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 4222), 2000);
        } catch (Exception e) {
            throw new IllegalStateException("this test needs NATS on 127.0.0.1:4222 (.ci/run starts it)", e);
        }
        Path base = Files.createTempDirectory("gururmm-once-");
        Path marks = Files.createTempDirectory("gururmm-once-marks-").resolve("runs");
        List<AutoCloseable> open = new ArrayList<>();
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.POSTGRES);
             LoopbackReceiver receiver = new LoopbackReceiver()) {
            Map<String, String> common = Map.of("DATABASE_URL", db.jdbcUrl(), "NATS_URL", NATS, "GURURMM_CLUSTER_LEASE_SECONDS", "3");
            ServerProcess a = track(open, ServerProcess.create(base.resolve("a"), with(common, "GURURMM_NODE_NAME", "node-a")).start());
            String key = a.dataDir().resolve("jwt-signing.key").toString();
            ServerProcess b = track(open, ServerProcess.create(base.resolve("b"),
                    with(common, "GURURMM_NODE_NAME", "node-b", "GURURMM_JWT_KEY_FILE", key)).start());
            ServerProcess c = track(open, ServerProcess.create(base.resolve("c"),
                    with(common, "GURURMM_NODE_NAME", "node-c", "GURURMM_JWT_KEY_FILE", key)).start());
            GuruClient onA = a.adminClient();
            GuruClient onB = b.adminClient();
            GuruClient onC = c.adminClient();
            AgentProcess agent = track(open, AgentProcess.create(a.url(), a.enrollmentToken())
                    .env("GURURMM_METRICS_INTERVAL_SECONDS", "1").start());
            UUID agentId = agent.awaitOnline(onA);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> onlineOn(onB, agentId) && onlineOn(onC, agentId));

            ChannelView hook = onB.createNotificationChannel(ChannelRequest.webhook("once", null, receiver.url("/once").toString()));
            onB.createNotificationRule(RuleRequest.of("every warning", "warning", null, List.of(hook.id())));
            onC.createCheck(AlertsTest.request(Map.of("key", "once-mem", "kind", "metric_threshold", "agent_id", agentId.toString(),
                    "metric", MetricName.MEMORY_PERCENT, "operator", ">", "threshold", 0.0)));

            var script = onB.createScript(new ScriptRequest("once", "sh", "echo run >> '" + marks + "'", List.of()));
            var schedule = onB.createSchedule(new ScheduleRequest(script.id(), Map.of(), List.of(agentId), null, null, 5));

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> onA.alerts(Map.of("check", "once-mem")).size() == 1);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !receiver.received().isEmpty());
            // Let every node see many more breaching samples, and the schedule fire a few times.
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> onB.scheduleRuns(schedule.id()).size() >= 3);
            Thread.sleep(3000);
            onB.updateSchedule(schedule.id(), new ScheduleRequest(null, null, null, null, null, null, null, null, null, null, null, false));

            for (GuruClient node : List.of(onA, onB, onC)) {
                List<AlertView> alerts = node.alerts(Map.of("check", "once-mem"));
                assertThat(alerts).as("one alert row, seen alike on every node").singleElement()
                        .satisfies(x -> assertThat(x.state()).isEqualTo("open"));
            }
            assertThat(receiver.received()).as("one webhook delivery for the one alert").hasSize(1);
            assertThat(receiver.received().get(0).path()).isEqualTo("/once");

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                    onB.scheduleRuns(schedule.id()).stream().allMatch(r -> Boolean.TRUE.equals(r.done())));
            List<ScheduleRun> runs = onC.scheduleRuns(schedule.id());
            Set<Object> occurrences = new HashSet<>();
            for (ScheduleRun run : runs) {
                assertThat(occurrences.add(run.occurrenceAt())).as("occurrence %s recorded twice", run.occurrenceAt()).isTrue();
            }
            assertThat(onA.agentCommands(agentId)).as("one command per occurrence %s", occurrences).hasSize(runs.size());
            assertThat(Files.readAllLines(marks)).as("the agent ran each occurrence once").hasSize(runs.size());
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception ignored) {
                    // closing everything anyway
                }
            }
        }
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> open, T resource) {
        open.add(resource);
        return resource;
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> out = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    private static boolean onlineOn(GuruClient client, UUID agentId) {
        return client.agents().stream().anyMatch(x -> x.id().equals(agentId) && x.status().equals("online"));
    }
}

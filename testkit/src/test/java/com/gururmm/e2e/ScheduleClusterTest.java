package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Schedules.ScheduleRequest;
import com.gururmm.protocol.api.Schedules.ScheduleRun;
import com.gururmm.protocol.api.Schedules.ScheduleView;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.api.Scripts.ScriptView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two server nodes on one PostgreSQL (NATS between them), both running their scheduler: a
 * schedule every 5 s fires each occurrence on exactly one node, once, and the agent (connected
 * to node A) runs each occurrence once whichever node fired it.
 */
@Timeout(240)
class ScheduleClusterTest {
    @Test
    void twoNodesNeverBothFireAnOccurrence() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 4222), 2000);
        } catch (Exception e) {
            throw new IllegalStateException("this test needs NATS on 127.0.0.1:4222 (.ci/run starts it)", e);
        }
        try (TestServer nodeA = TestServer.start(TestDatabase.Kind.POSTGRES, Map.of("NATS_URL", "nats://127.0.0.1:4222"));
             TestServer nodeB = TestServer.start(TestDatabase.Kind.POSTGRES, Map.of("NATS_URL", "nats://127.0.0.1:4222",
                     "DATABASE_URL", nodeA.database().jdbcUrl(),
                     "GURURMM_JWT_KEY_FILE", nodeA.dataDir().resolve("jwt-signing.key").toString()));
             AgentProcess agent = AgentProcess.create(nodeA.url(), nodeA.enrollmentToken()).start()) {
            UUID agentId = agent.awaitOnline(nodeA.adminClient());
            GuruClient onB = nodeB.adminClient();
            ScriptView script = onB.createScript(new ScriptRequest("Cluster tick", "sh", "echo tick", List.of()));
            ScheduleView schedule = onB.createSchedule(new ScheduleRequest(script.id(), Map.of(), List.of(agentId), null, null, 5));
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    onB.scheduleRuns(schedule.id()).stream().filter(r -> Boolean.TRUE.equals(r.done())).count() >= 4);
            onB.updateSchedule(schedule.id(), new ScheduleRequest(null, null, null, null, null, null, null, null, null, null, null, false));

            List<ScheduleRun> runs = onB.scheduleRuns(schedule.id());
            Set<Instant> occurrences = new HashSet<>();
            for (ScheduleRun run : runs) {
                assertThat(occurrences.add(run.occurrenceAt())).as("occurrence %s fired twice", run.occurrenceAt()).isTrue();
                assertThat(run.status()).as(run.message()).isEqualTo("submitted");
                BatchView batch = onB.awaitBatch(run.batchId(), Duration.ofSeconds(60));
                assertThat(batch.results()).singleElement().satisfies(r -> {
                    assertThat(r.status()).isEqualTo("completed");
                    assertThat(r.stdout()).isEqualTo("tick\n");
                });
            }
            assertThat(onB.agentCommands(agentId).stream().filter(c -> c.commandText().equals("echo tick")).count())
                    .as("one command per occurrence").isEqualTo(runs.size());
        }
    }
}

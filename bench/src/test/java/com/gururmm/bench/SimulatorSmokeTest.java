package com.gururmm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.bench.sim.Executor;
import com.gururmm.bench.sim.Simulator;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.protocol.api.Batches.BatchResult;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.TestServer;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The simulator against a real server over real WebSockets, small enough for every build:
 * 200 agents enroll, connect, heartbeat, take a fan-out and a real process command, and survive
 * a server restart. Keeps the bench module from rotting; the timings are in docs/BENCHMARKS.md.
 */
class SimulatorSmokeTest {
    private static final int AGENTS = 200;

    @Test
    void twoHundredAgentsConnectRunABatchAndComeBackAfterARestart() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2);
             Simulator sim = new Simulator(server.url(), Executor.named("echo"), AGENTS)) {
            GuruClient admin = server.adminClient();
            sim.enroll(server.enrollmentToken(), AGENTS, 8);
            sim.connectAll(50, Duration.ofSeconds(60));
            assertThat(sim.online()).isEqualTo(AGENTS);
            assertThat(admin.agents(Map.of("status", "online"))).hasSize(AGENTS);

            var batch = admin.runBatch(new BatchRequest(null, new AgentFilter("online", null, null, null), "sh", "echo hi", null, 30));
            assertThat(batch.agentCount()).isEqualTo(AGENTS);
            BatchView done = admin.awaitBatch(batch.batchId(), Duration.ofSeconds(60));
            assertThat(done.done()).isTrue();
            assertThat(done.counts()).isEqualTo(Map.of("completed", AGENTS));
            assertThat(done.results()).allSatisfy(r -> assertThat(r.stdout()).isEqualTo("hi\n"));
            assertThat(done.results()).extracting(BatchResult::commandId)
                    .allSatisfy(id -> assertThat(sim.ackedAt(id)).as("server acknowledged %s", id).isNotNull());

            // Heartbeats keep every agent online past the server's idle timeout (2 x 1 s + 1 s).
            Thread.sleep(4_000);
            assertThat(sim.online()).isEqualTo(AGENTS);
            assertThat(sim.disconnects()).isZero();

            server.restart();
            assertThat(sim.awaitOnline(AGENTS, Duration.ofSeconds(60))).as("all agents reconnected").isTrue();
            assertThat(sim.protocolErrors()).as(String.valueOf(sim.lastProtocolError())).isZero();
            admin = server.adminClient();
            assertThat(admin.agents(Map.of("status", "online"))).hasSize(AGENTS);
        }
    }

    @Test
    void processExecutorRunsARealShell() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2);
             Simulator sim = new Simulator(server.url(), Executor.named("process"), 1)) {
            GuruClient admin = server.adminClient();
            sim.enroll(server.enrollmentToken(), 1, 1);
            sim.connectAll(1, Duration.ofSeconds(30));
            UUID agent = sim.agents().get(0).agentId();
            UUID id = admin.runCommand(agent, new CommandRequest("sh", "echo $((6*7)); echo oops >&2; exit 5", null, 30)).commandId();
            CommandView view = admin.awaitCommand(id, Duration.ofSeconds(30));
            assertThat(view.status()).isEqualTo("completed");
            assertThat(view.stdout()).isEqualTo("42\n");
            assertThat(view.stderr()).isEqualTo("oops\n");
            assertThat(view.exitCode()).isEqualTo(5);
        }
    }
}

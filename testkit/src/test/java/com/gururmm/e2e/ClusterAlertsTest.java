package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.FaultProxy;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts follow an agent across nodes. Two nodes on one PostgreSQL with NATS between them, both
 * started before anything fails. An agent check fails while the agent is on node A, and A opens
 * the alert. The agent then moves to node B (the balancer sends its next connection there), and
 * the check recovers on B: B resolves the alert. Before, B did not even know the check (checks
 * were re-read only by the node where they changed), and it knew only the alerts that were open
 * when B started, so the alert stayed open for ever. Then a file transfer asked of A
 * goes to node B, where the agent now is (it is passed on).
 */
@Timeout(300)
class ClusterAlertsTest {
    @TempDir
    Path work;

    @Test
    void anAlertOpenedOnOneNodeIsResolvedByTheNodeTheAgentMovesTo() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 4222), 2000);
        } catch (Exception e) {
            throw new IllegalStateException("this test needs NATS on 127.0.0.1:4222 (.ci/run starts it)", e);
        }
        try (TestServer nodeA = TestServer.start(TestDatabase.Kind.POSTGRES, Map.of("NATS_URL", "nats://127.0.0.1:4222",
                     "GURURMM_NODE_NAME", "alerts-a"));
             TestServer nodeB = TestServer.start(TestDatabase.Kind.POSTGRES, Map.of("NATS_URL", "nats://127.0.0.1:4222",
                     "GURURMM_NODE_NAME", "alerts-b", "DATABASE_URL", nodeA.database().jdbcUrl(),
                     "GURURMM_JWT_KEY_FILE", nodeA.dataDir().resolve("jwt-signing.key").toString()));
             FaultProxy balancer = new FaultProxy(nodeA.port());
             AgentProcess agent = AgentProcess.create(URI.create("http://127.0.0.1:" + balancer.port()), nodeA.enrollmentToken()).start()) {
            GuruClient onA = nodeA.adminClient();
            GuruClient onB = nodeB.adminClient();
            UUID agentId = agent.awaitOnline(onA);
            Path failing = work.resolve("failing");
            Files.writeString(failing, "yes\n");
            onA.createCheck(AlertsTest.request(Map.of("key", "script:moves", "kind", "script", "script_type", "sh",
                    "agent_id", agentId.toString(), "interval_minutes", 0.02,
                    "script", "if [ -f '" + failing + "' ]; then echo 'service down'; exit 2; fi\necho fine")));
            // A check made on A reaches B's memory at once (B's view of the agent's checks lists it).
            Awaitility.await("check known on B").atMost(Duration.ofSeconds(5))
                    .until(() -> onB.agentChecks(agentId).stream().anyMatch(c -> c.check().key().equals("script:moves")));
            Awaitility.await("alert opened on A; agent log: " + agent.log()).atMost(Duration.ofSeconds(60))
                    .until(() -> alerts(onB, agentId).stream().anyMatch(a -> a.state().equals("open")));

            // While the agent is frozen, the balancer moves it to B and the failure ends: the first
            // results B sees are "ok", so only B's knowledge of the open alert can resolve it.
            agent.suspend();
            balancer.retarget(nodeB.port());
            balancer.cutAll();
            Files.delete(failing);
            agent.resume();
            Awaitility.await("agent on B").atMost(Duration.ofSeconds(60)).until(() -> nodeB.server().registry().isOnline(agentId));
            Awaitility.await("alert resolved by B; agent log: " + agent.log()).atMost(Duration.ofSeconds(60))
                    .until(() -> alerts(onA, agentId).stream().allMatch(a -> a.state().equals("resolved")));
            List<AlertView> all = alerts(onA, agentId);
            assertThat(all).as("one alert, opened on A and resolved on B").hasSize(1);
            assertThat(all.get(0).resolvedBy()).isEqualTo("system");

            // A file transfer asked of A, now that the agent is on B, goes to B (ClusterRelayTest covers shells and uploads).
            Path moved = Files.writeString(work.resolve("moved"), "read through the node it left\n");
            GuruClient.RawResponse file = onA.raw("GET", "/api/agents/" + agentId + "/files?path=" + moved, null, Map.of());
            assertThat(file.status()).as(file.body()).isEqualTo(200);
            assertThat(file.body()).isEqualTo("read through the node it left\n");
        }
    }

    private static List<AlertView> alerts(GuruClient client, UUID agentId) {
        return client.alerts(Map.of("agent", agentId.toString(), "check", "script:moves"));
    }
}

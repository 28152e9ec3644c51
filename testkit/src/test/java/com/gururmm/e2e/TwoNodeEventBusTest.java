package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.EventStream;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two server nodes on one PostgreSQL with {@code NATS_URL} set, an agent connected to node A and
 * an operator on node B: B's submit and cancel reach the agent through A, and B's waits and event
 * stream see what A stores. (The cluster's presence and job ownership are issue 13; this pins the
 * event path they build on.)
 */
class TwoNodeEventBusTest {
    private static TestServer nodeA;
    private static TestServer nodeB;
    private static AgentProcess agent;
    private static UUID agentId;

    @BeforeAll
    static void start() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 4222), 2000);
        } catch (Exception e) {
            throw new IllegalStateException("these tests need NATS on 127.0.0.1:4222 (.ci/run starts it)", e);
        }
        nodeA = TestServer.start(TestDatabase.Kind.POSTGRES, Map.of("NATS_URL", "nats://127.0.0.1:4222"));
        // One system: the same database, and the same signing key, so a session made on one node is valid on the other.
        nodeB = TestServer.start(TestDatabase.Kind.POSTGRES, Map.of("NATS_URL", "nats://127.0.0.1:4222",
                "DATABASE_URL", nodeA.database().jdbcUrl(),
                "GURURMM_JWT_KEY_FILE", nodeA.dataDir().resolve("jwt-signing.key").toString()));
        agent = AgentProcess.create(nodeA.url(), nodeA.enrollmentToken()).start();
        agentId = agent.awaitOnline(nodeA.adminClient());
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        if (nodeA != null) {
            nodeA.close();
        }
    }

    @Test
    void aCommandSubmittedOnNodeBRunsOnTheAgentOfNodeAAndBsWaitWakesOnTheResult() {
        GuruClient onB = nodeB.adminClient();
        UUID id = onB.runCommand(agentId, new CommandRequest("sh", "echo via-node-a", null, 30)).commandId();
        long start = System.nanoTime();
        CommandView view = onB.command(id, 60);
        assertThat(view.status()).as(view.toString()).isEqualTo("completed");
        assertThat(view.stdout()).isEqualTo("via-node-a\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aCancelOnNodeBKillsTheCommandRunningOnNodeAsAgent() throws Exception {
        GuruClient onB = nodeB.adminClient();
        UUID id = onB.runCommand(agentId, new CommandRequest("sh", "sleep 120", null, 300)).commandId();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> onB.command(id).startedAt() != null);
        onB.cancelCommand(id);
        CommandView view = onB.command(id, 30);
        assertThat(view.status()).isEqualTo("cancelled");
        // The agent really stopped it: its result (cancelled) arrives and no "sleep 120" is left.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                agent.processHandle().descendants().noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 120")));
    }

    @Test
    void aFollowerOnNodeBSeesLiveOutputStoredByNodeABeforeTheCommandEnds() throws Exception {
        GuruClient onB = nodeB.adminClient();
        UUID id = onB.runCommand(agentId, new CommandRequest("sh", "echo early; sleep 4; echo late", null, 60)).commandId();
        StringBuilder text = new StringBuilder();
        String statusAtFirst = null;
        String endStatus = null;
        try (EventStream follow = onB.followOutput(id, 0)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (endStatus == null && System.nanoTime() < deadline) {
                EventStream.Event event = follow.next(Duration.ofSeconds(1));
                if (event == null) {
                    continue;
                }
                if (event.type().equals("output")) {
                    if (statusAtFirst == null) {
                        statusAtFirst = onB.command(id).status();
                    }
                    text.append(event.data().get("data").asText());
                } else if (event.type().equals("end")) {
                    endStatus = event.data().get("status").asText();
                }
            }
        }
        // Woken across nodes by the bus: the first chunk came while the command still ran on node A's agent.
        assertThat(statusAtFirst).isEqualTo("running");
        assertThat(endStatus).isEqualTo("completed");
        assertThat(text.toString()).isEqualTo("early\nlate\n");
    }

    @Test
    void nodeBsEventStreamSeesAgentsComingAndGoingOnNodeA() throws Exception {
        GuruClient onB = nodeB.adminClient();
        try (EventStream events = onB.events("agent.presence", null, null)) {
            AgentProcess second = AgentProcess.create(nodeA.url(), nodeA.enrollmentToken()).start();
            try {
                UUID secondId = second.awaitOnline(nodeA.adminClient());
                assertThat(nextPresence(events, secondId)).isTrue();
                second.kill();
                assertThat(nextPresence(events, secondId)).isFalse();
            } finally {
                second.close();
            }
        }
    }

    private static boolean nextPresence(EventStream events, UUID agent) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            EventStream.Event event = events.next(Duration.ofSeconds(1));
            if (event != null && event.data().path("agent_id").asText().equals(agent.toString())) {
                return event.data().get("online").asBoolean();
            }
        }
        throw new AssertionError("no presence event for " + agent + " on node B");
    }
}

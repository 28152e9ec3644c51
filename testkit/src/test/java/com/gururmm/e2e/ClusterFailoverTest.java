package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.EventStream;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.FaultProxy;
import com.gururmm.testkit.ServerProcess;
import com.gururmm.testkit.TestDatabase;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real server processes on the real PostgreSQL and NATS, agents reaching them through a
 * {@link FaultProxy} standing in for the load balancer. A command submitted on node B runs on the
 * agent connected to node A and C's {@code ?wait=} wakes on its result; the cluster-wide command
 * sweep runs on the one lease holder (A) only; then A is killed with SIGKILL: B's event stream
 * shows the agent go offline (the dead-node sweep) and, once the balancer sends it to B, online
 * again; its in-flight and queued commands complete, each run exactly once by the agent; the
 * sweep's lease moves to a surviving node and the sweep runs there.
 */
@Timeout(600)
class ClusterFailoverTest {
    private static final String NATS = "nats://127.0.0.1:4222";

    @Test
    void nodeADiesItsAgentMovesToBWithNothingLostOrRunTwiceAndTheClusterJobsMove() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 4222), 2000);
        } catch (Exception e) {
            throw new IllegalStateException("this test needs NATS on 127.0.0.1:4222 (.ci/run starts it)", e);
        }
        Path base = Files.createTempDirectory("gururmm-cluster-");
        Path marks = Files.createTempDirectory("gururmm-cluster-marks-");
        List<AutoCloseable> open = new ArrayList<>();
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.POSTGRES)) {
            Map<String, String> common = Map.of("DATABASE_URL", db.jdbcUrl(), "NATS_URL", NATS,
                    "GURURMM_CLUSTER_LEASE_SECONDS", "3", "GURURMM_AGENT_LOST_GRACE_SECONDS", "3");
            ServerProcess a = track(open, ServerProcess.create(base.resolve("a"), with(common, "GURURMM_NODE_NAME", "node-a")).start());
            GuruClient onA = a.adminClient();
            // A alone takes every job lease; B and C, started after, find them held.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> holder(onA, "commands.sweep") != null);
            String key = a.dataDir().resolve("jwt-signing.key").toString();
            ServerProcess b = track(open, ServerProcess.create(base.resolve("b"),
                    with(common, "GURURMM_NODE_NAME", "node-b", "GURURMM_JWT_KEY_FILE", key)).start());
            ServerProcess c = track(open, ServerProcess.create(base.resolve("c"),
                    with(common, "GURURMM_NODE_NAME", "node-c", "GURURMM_JWT_KEY_FILE", key)).start());
            GuruClient onB = b.adminClient();
            GuruClient onC = c.adminClient();
            FaultProxy balancer = track(open, new FaultProxy(a.url().getPort()));
            FaultProxy ghostBalancer = track(open, new FaultProxy(a.url().getPort()));
            String token = a.enrollmentToken();
            AgentProcess agent = track(open, AgentProcess.create(URI.create("http://127.0.0.1:" + balancer.port()), token).start());
            // A second agent that will receive commands and never answer (SIGSTOP): the command sweep has work.
            AgentProcess ghost = track(open, AgentProcess.create(URI.create("http://127.0.0.1:" + ghostBalancer.port()), token).start());
            UUID agentId = agent.awaitOnline(onA);
            UUID ghostId = ghost.awaitOnline(onA);

            // Presence is cluster-wide: C lists A's agents online, and the cluster view places them on A.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> onlineOn(onC, agentId) && onlineOn(onB, ghostId));
            JsonNode cluster = cluster(onC);
            assertThat(node(cluster, "node-a").get("agents").asLong()).isEqualTo(2);
            assertThat(nodeNames(cluster)).containsExactlyInAnyOrder("node-a", "node-b", "node-c");
            for (JsonNode lease : cluster.get("leases")) {
                assertThat(lease.get("holder").asText()).as("lease %s with three nodes up", lease.get("name")).isEqualTo("node-a");
            }
            assertThat(node(cluster, "node-b").get("leases")).isEmpty();
            assertThat(node(cluster, "node-c").get("leases")).isEmpty();

            // Submitted on B, run by the agent on A, waited for and read on C.
            UUID first = onB.runCommand(agentId, new CommandRequest("sh", "echo run >> '" + marks.resolve("first") + "'; echo via-a", null, 60))
                    .commandId();
            CommandView firstView = onC.command(first, 60);
            assertThat(firstView.status()).as(firstView.toString()).isEqualTo("completed");
            assertThat(firstView.stdout()).isEqualTo("via-a\n");

            // The command sweep with three nodes up: the ghost's command ends "agent lost", by node A's sweep alone.
            ghost.suspend();
            UUID lostBeforeKill = onB.runCommand(ghostId, new CommandRequest("sh", "echo never", null, 1)).commandId();
            CommandView lost = onC.awaitCommand(lostBeforeKill, Duration.ofSeconds(60));
            assertThat(lost.status()).as(lost.toString()).isEqualTo("failed");
            assertThat(lost.error()).contains("agent lost");
            assertThat(a.log()).contains("sweeper ended");
            assertThat(b.log()).doesNotContain("sweeper ended");
            assertThat(c.log()).doesNotContain("sweeper ended");

            try (EventStream presenceOnB = onB.events("agent.presence", agentId, null)) {
                // In flight when A dies: started on the agent, its result not yet sent.
                UUID inFlight = onC.runCommand(agentId, new CommandRequest("sh",
                        "sleep 6; echo run >> '" + marks.resolve("in-flight") + "'; echo in-flight-done", null, 120)).commandId();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> onC.command(inFlight).startedAt() != null);

                // A is killed; for a moment the balancer has no healthy node to send the agent to.
                a.kill();
                balancer.partition();
                ghostBalancer.partition();
                // Queued while the agent is away (the database still names A until A is swept).
                UUID queued = onC.runCommand(agentId, new CommandRequest("sh",
                        "echo run >> '" + marks.resolve("queued") + "'; echo queued-done", null, 60)).commandId();
                assertThat(onC.command(queued).status()).isEqualTo("queued");

                // B's stream: the agent went offline with its node (the dead-node sweep, A never said so).
                assertThat(nextPresence(presenceOnB, agentId)).isFalse();
                // The balancer takes A out: the agent's next connection lands on B.
                balancer.retarget(b.url().getPort());
                balancer.heal();
                assertThat(nextPresence(presenceOnB, agentId)).isTrue();

                CommandView inFlightView = onC.awaitCommand(inFlight, Duration.ofSeconds(120));
                assertThat(inFlightView.status()).as(inFlightView.toString()).isEqualTo("completed");
                assertThat(inFlightView.stdout()).isEqualTo("in-flight-done\n");
                CommandView queuedView = onB.awaitCommand(queued, Duration.ofSeconds(120));
                assertThat(queuedView.status()).as(queuedView.toString()).isEqualTo("completed");
                assertThat(queuedView.stdout()).isEqualTo("queued-done\n");
            }
            // Each ran exactly once on the agent, and each is one command on the server.
            for (String mark : List.of("first", "in-flight", "queued")) {
                assertThat(Files.readAllLines(marks.resolve(mark))).as("runs of %s", mark).containsExactly("run");
            }
            assertThat(onC.agentCommands(agentId)).hasSize(3);

            // The agent is B's now, and everyone's view says so; the leases moved off the dead node.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> onlineOn(onC, agentId));
            JsonNode after = cluster(onC);
            assertThat(nodeNames(after)).containsExactlyInAnyOrder("node-b", "node-c");
            assertThat(node(after, "node-b").get("agents").asLong()).isEqualTo(1);
            String newHolder = holder(onC, "commands.sweep");
            assertThat(newHolder).isIn("node-b", "node-c");
            for (JsonNode lease : after.get("leases")) {
                assertThat(lease.get("holder").asText()).as("lease %s after A died", lease.get("name")).isIn("node-b", "node-c");
            }

            // The sweep still runs, once, on its new holder: the ghost (sent to C now) never answers again.
            ghostBalancer.retarget(c.url().getPort());
            ghostBalancer.heal();
            ghost.resume();
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> onlineOn(onB, ghostId));
            ghost.suspend();
            UUID lostAfterKill = onB.runCommand(ghostId, new CommandRequest("sh", "echo never", null, 1)).commandId();
            CommandView lostAfter = onB.awaitCommand(lostAfterKill, Duration.ofSeconds(60));
            assertThat(lostAfter.status()).as(lostAfter.toString()).isEqualTo("failed");
            assertThat(lostAfter.error()).contains("agent lost");
            ServerProcess holderNode = newHolder.equals("node-b") ? b : c;
            ServerProcess other = newHolder.equals("node-b") ? c : b;
            assertThat(holderNode.log()).contains("sweeper ended");
            assertThat(other.log()).doesNotContain("sweeper ended");
            ghost.resume();
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

    private static JsonNode cluster(GuruClient client) throws Exception {
        GuruClient.RawResponse r = client.raw("GET", "/api/cluster", null, Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    private static String holder(GuruClient client, String lease) throws Exception {
        for (JsonNode l : cluster(client).get("leases")) {
            if (l.get("name").asText().equals(lease)) {
                return l.get("holder").isNull() ? null : l.get("holder").asText();
            }
        }
        return null;
    }

    private static JsonNode node(JsonNode cluster, String name) {
        for (JsonNode n : cluster.get("nodes")) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in " + cluster);
    }

    private static List<String> nodeNames(JsonNode cluster) {
        List<String> names = new ArrayList<>();
        cluster.get("nodes").forEach(n -> names.add(n.get("name").asText()));
        return names;
    }

    private static boolean nextPresence(EventStream events, UUID agent) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            EventStream.Event event = events.next(Duration.ofSeconds(1));
            if (event != null && event.data().path("agent_id").asText().equals(agent.toString())) {
                return event.data().get("online").asBoolean();
            }
        }
        throw new AssertionError("no presence event for " + agent + " on node B");
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.ServerProcess;
import com.gururmm.testkit.TestDatabase;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real server nodes on the real PostgreSQL and NATS, an agent connected to node A. A shell
 * or a file transfer needs the agent's own connection: asked on node B, it is answered with a
 * 409 {@code agent_on_other_node} that names node A (body field {@code node} and header
 * {@code X-GuruRMM-Agent-Node}), and the same request on node A works.
 */
@Timeout(300)
class ClusterAgentAffinityTest {
    private static final String NATS = "nats://127.0.0.1:4222";

    @Test
    void aShellOrFileTransferAskedOnTheWrongNodeNamesTheNodeHoldingTheAgent() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 4222), 2000);
        } catch (Exception e) {
            throw new IllegalStateException("this test needs NATS on 127.0.0.1:4222 (.ci/run starts it)", e);
        }
        Path base = Files.createTempDirectory("gururmm-affinity-");
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.POSTGRES)) {
            Map<String, String> common = Map.of("DATABASE_URL", db.jdbcUrl(), "NATS_URL", NATS, "GURURMM_CLUSTER_LEASE_SECONDS", "3");
            try (ServerProcess a = ServerProcess.create(base.resolve("a"), with(common, "GURURMM_NODE_NAME", "node-a")).start()) {
                String key = a.dataDir().resolve("jwt-signing.key").toString();
                try (ServerProcess b = ServerProcess.create(base.resolve("b"),
                        with(common, "GURURMM_NODE_NAME", "node-b", "GURURMM_JWT_KEY_FILE", key)).start();
                     AgentProcess agent = AgentProcess.create(a.url(), a.enrollmentToken()).start()) {
                    GuruClient onA = a.adminClient();
                    GuruClient onB = b.adminClient();
                    UUID agentId = agent.awaitOnline(onA);
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                            onB.agents().stream().anyMatch(x -> x.id().equals(agentId) && x.status().equals("online")));

                    String shell = "{\"agent_id\":\"" + agentId + "\",\"cols\":80,\"rows\":24}";
                    GuruClient.RawResponse wrongShell = onB.raw("POST", "/api/v1/tunnel/sessions", shell, Map.of());
                    assertElsewhere(wrongShell, agentId, "a shell");

                    Path file = Files.writeString(base.resolve("hello.txt"), "hello from the agent's disk\n");
                    String filePath = "/api/agents/" + agentId + "/files?path=" + URLEncoder.encode(file.toString(), StandardCharsets.UTF_8);
                    GuruClient.RawResponse wrongDownload = onB.raw("GET", filePath, null, Map.of());
                    assertElsewhere(wrongDownload, agentId, "a file transfer");

                    // Sent where the error says, both work.
                    GuruClient.RawResponse download = onA.raw("GET", filePath, null, Map.of());
                    assertThat(download.status()).as(download.body()).isEqualTo(200);
                    assertThat(download.body()).isEqualTo("hello from the agent's disk\n");
                    GuruClient.RawResponse rightShell = onA.raw("POST", "/api/v1/tunnel/sessions", shell, Map.of());
                    assertThat(rightShell.status()).as(rightShell.body()).isEqualTo(201);
                }
            }
        }
    }

    private static void assertElsewhere(GuruClient.RawResponse r, UUID agentId, String what) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.get("error").asText()).isEqualTo("agent_on_other_node");
        assertThat(body.get("node").asText()).isEqualTo("node-a");
        assertThat(body.get("message").asText()).contains(agentId.toString(), "node-a", "node-b", what);
        assertThat(r.headers().firstValue("X-GuruRMM-Agent-Node")).hasValue("node-a");
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> out = new java.util.HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }
}

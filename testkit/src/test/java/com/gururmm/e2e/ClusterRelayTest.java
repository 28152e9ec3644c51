package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.client.TunnelClient;
import com.gururmm.protocol.api.AgentFiles;
import com.gururmm.protocol.api.Tunnel.SessionView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Work bound to the node holding an agent's connection, asked of another node of the cluster:
 * two real nodes on one PostgreSQL with NATS between them, a real agent connected to node A,
 * and an operator who talks to node B only (as through a balancer without sticky sessions).
 * B passes shells (the open, tickets, the client's WebSocket, the close, the recording) and
 * file transfers (streamed both ways, resumable) on to A. Before, B refused them with 409
 * {@code agent_on_other_node}. A request is passed on once only, and a node that is gone gets a
 * clear 503 and then its sessions are ended.
 */
@Timeout(300)
class ClusterRelayTest {
    private static final String NATS = "nats://127.0.0.1:4222";
    private static TestServer nodeA;
    private static TestServer nodeB;
    private static AgentProcess agent;
    private static UUID agentId;
    private static GuruClient onB;

    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 4222), 2000);
        } catch (Exception e) {
            throw new IllegalStateException("this test needs NATS on 127.0.0.1:4222 (.ci/run starts it)", e);
        }
        nodeA = TestServer.start(TestDatabase.Kind.POSTGRES, Map.of("NATS_URL", NATS, "GURURMM_NODE_NAME", "relay-a"));
        nodeB = TestServer.start(TestDatabase.Kind.POSTGRES, Map.of("NATS_URL", NATS, "GURURMM_NODE_NAME", "relay-b",
                "DATABASE_URL", nodeA.database().jdbcUrl(),
                "GURURMM_JWT_KEY_FILE", nodeA.dataDir().resolve("jwt-signing.key").toString()));
        agent = AgentProcess.create(nodeA.url(), nodeA.enrollmentToken()).start();
        agentId = agent.awaitOnline(nodeA.adminClient());
        onB = nodeB.adminClient();
        Awaitility.await("B sees the agent on A").atMost(Duration.ofSeconds(20))
                .until(() -> nodeB.server().registry().otherNodeHolding(agentId).isPresent());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {agent, nodeB, nodeA}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the next one still closes
            }
        }
    }

    @Test
    void aShellAskedOfTheNodeWithoutTheAgentRunsOnTheNodeThatHasIt() throws Exception {
        SessionView session = onB.openTunnel(agentId, null, 80, 24);
        assertThat(session.state()).isEqualTo("open");
        assertThat(session.tty()).matches("/dev/pts/\\d+");
        assertThat(sessionNode(session.sessionId())).as("the session lives where the agent is").isEqualTo("relay-a");

        TunnelTest.Screen screen = new TunnelTest.Screen();
        try (TunnelClient terminal = onB.attachTunnel(session.sessionId(), screen)) {
            terminal.send("echo $((6*7))\r");
            screen.await("^42\\r?$", 0);
            terminal.resize(132, 43);
            int mark = screen.text().length();
            terminal.send("stty size\r");
            screen.await("^43 132\\r?$", mark);
            // Output larger than the flow-control window goes through the relay whole and in order.
            mark = screen.text().length();
            terminal.send("stty -echo; seq -f 'n%g' 1 30000; echo SEQ-DONE\r");
            int end = screen.await("^SEQ-DONE\\r?$", mark).start();
            java.util.regex.Matcher numbers = java.util.regex.Pattern.compile("n(\\d+)\\r?$", java.util.regex.Pattern.MULTILINE)
                    .matcher(screen.text().substring(mark, end));
            int expected = 1;
            while (numbers.find()) {
                assertThat(Integer.parseInt(numbers.group(1))).as("line " + expected).isEqualTo(expected);
                expected++;
            }
            assertThat(expected - 1).as("lines through the relay").isEqualTo(30000);
            terminal.send("exit 3\r");
            assertThat(terminal.exit().get(30, TimeUnit.SECONDS)).isEqualTo(3);
        }
        Awaitility.await("recording readable through B").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> onB.tunnelRecording(session.sessionId()).contains("SEQ-DONE"));
        assertThat(Files.list(nodeA.dataDir().resolve("tunnel-recordings")).map(p -> p.getFileName().toString()))
                .as("the recording is on A's disk").contains(session.sessionId() + ".cast");
        assertThat(onB.tunnelSessions()).filteredOn(s -> s.sessionId().equals(session.sessionId()))
                .singleElement().satisfies(s -> assertThat(s.state()).isEqualTo("ended"));
    }

    /**
     * The agent's own leg of a shell is a new connection to its server URL; behind a balancer it
     * may reach a node other than the one holding its main connection (and the session). That
     * node passes it on as well.
     */
    @Test
    void anAgentsShellSocketThatReachesTheOtherNodeIsPassedOnToo() throws Exception {
        try (com.gururmm.testkit.FaultProxy balancer = new com.gururmm.testkit.FaultProxy(nodeA.port());
             AgentProcess behind = AgentProcess.create(URI.create("http://127.0.0.1:" + balancer.port()), nodeA.enrollmentToken()).start()) {
            UUID behindId = behind.awaitOnline(nodeA.adminClient());
            // New connections now go to B; the agent's main connection stays on A.
            balancer.retarget(nodeB.port());
            double before = relayedSockets(nodeB);
            SessionView session = onB.openTunnel(behindId, null, 80, 24);
            assertThat(session.state()).isEqualTo("open");
            TunnelTest.Screen screen = new TunnelTest.Screen();
            try (TunnelClient terminal = onB.attachTunnel(session.sessionId(), screen)) {
                terminal.send("echo both-legs-$((20+3))\r");
                screen.await("^both-legs-23\\r?$", 0);
                terminal.send("exit\r");
                assertThat(terminal.exit().get(30, TimeUnit.SECONDS)).isZero();
            }
            assertThat(nodeA.server().registry().isOnline(behindId)).as("the main connection stayed on A").isTrue();
            assertThat(relayedSockets(nodeB) - before).as("B passed on both legs, the agent's and the client's").isEqualTo(2);
        }
    }

    @Test
    void aTicketAndACloseGoToTheSessionsNodeAndANodeJoiningLeavesItOpen() throws Exception {
        SessionView session = onB.openTunnel(agentId, null, 80, 24);
        String ticket = onB.tunnelTicket(session.sessionId()).ticket();
        URI socket = URI.create("ws://127.0.0.1:" + nodeB.port() + "/api/v1/tunnel/sessions/" + session.sessionId() + "?ticket=" + ticket);
        TunnelTest.RawSocket raw = TunnelTest.RawSocket.open(socket);
        raw.socket.sendText("{\"type\":\"attach\",\"last_seq\":0}", true).get(10, TimeUnit.SECONDS);
        Awaitility.await("attached through B").atMost(Duration.ofSeconds(10))
                .until(() -> raw.texts.stream().anyMatch(t -> t.contains("\"attached\"")));
        assertThat(TunnelTest.handshakeStatus(socket)).as("a ticket is single-use on the node that minted it too").isEqualTo(401);

        // A node starting up ends the sessions its own previous run left open, not another node's live ones.
        try (TestServer nodeC = TestServer.start(TestDatabase.Kind.POSTGRES, Map.of("NATS_URL", NATS, "GURURMM_NODE_NAME", "relay-c",
                "DATABASE_URL", nodeA.database().jdbcUrl(),
                "GURURMM_JWT_KEY_FILE", nodeA.dataDir().resolve("jwt-signing.key").toString()))) {
            assertThat(nodeC.adminClient().tunnelSessions()).filteredOn(s -> s.sessionId().equals(session.sessionId()))
                    .singleElement().satisfies(s -> assertThat(s.state()).isEqualTo("open"));
        }

        GuruClient.RawResponse close = onB.raw("POST", "/api/v1/tunnel/sessions/" + session.sessionId() + "/close", null, Map.of());
        assertThat(close.status()).as(close.body()).isEqualTo(204);
        assertThat(raw.closed.get(10, TimeUnit.SECONDS)).as("the relayed socket closes with the session").isEqualTo(1000);
        assertThat(raw.texts).anyMatch(t -> t.contains("\"exit\"") && t.contains("closed by"));
        GuruClient.RawResponse again = onB.raw("POST", "/api/v1/tunnel/sessions/" + session.sessionId() + "/ticket", null, Map.of());
        assertThat(again.status()).as(again.body()).isIn(410);
    }

    @Test
    void aFileTransferAskedOfTheNodeWithoutTheAgentStreamsThroughTheNodeThatHasIt() throws Exception {
        byte[] content = new byte[5 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
        Path local = work.resolve("relayed.bin");
        Files.write(local, content);
        Path remote = work.resolve("relayed-target.bin");
        AgentFiles.Uploaded up = withAgentLog(() -> onB.pushFile(agentId, remote.toString(), local, 0, sha256(content), null));
        assertThat(up.sha256()).isEqualTo(sha256(content));
        assertThat(Files.readAllBytes(remote)).isEqualTo(content);

        ByteArrayOutputStream back = new ByteArrayOutputStream();
        AgentFiles.Downloaded down = onB.pullFile(agentId, remote.toString(), back, 0, null, null);
        assertThat(down.sha256()).isEqualTo(sha256(content));
        assertThat(back.toByteArray()).isEqualTo(content);

        GuruClient.RawResponse ranged = onB.raw("GET", "/api/agents/" + agentId + "/files?path="
                + URLEncoder.encode(remote.toString(), StandardCharsets.UTF_8), null, Map.of("Range", "bytes=" + (content.length - 5) + "-"));
        assertThat(ranged.status()).isEqualTo(206);
        assertThat(ranged.headers().firstValue("Content-Range")).contains("bytes " + (content.length - 5) + "-" + (content.length - 1)
                + "/" + content.length);
        assertThat(ranged.headers().firstValue(AgentFiles.SHA256_HEADER)).contains(sha256(content));

        // A refusal from A comes back with its status and headers: the offset an interrupted upload continues from.
        GuruClient.OffsetMismatchException mismatch = org.junit.jupiter.api.Assertions.assertThrows(GuruClient.OffsetMismatchException.class,
                () -> onB.pushFile(agentId, work.resolve("never.bin").toString(), local, 3, null, null));
        assertThat(mismatch.offset()).isZero();
        assertThat(work.resolve("never.bin")).doesNotExist();

        // A client that sends no Expect: 100-continue gets A's refusal too: B waits for A's go-ahead before passing the
        // body on, and reads what the client is still sending before it answers (closing the connection on unread bytes
        // reset it, and the client, still writing, lost the answer: "header parser received no bytes").
        java.net.http.HttpClient plain = java.net.http.HttpClient.newHttpClient();
        byte[] large = new byte[16 * 1024 * 1024];
        new Random(8).nextBytes(large);
        for (int i = 0; i < 6; i++) {
            java.net.http.HttpResponse<String> refused = plain.send(java.net.http.HttpRequest.newBuilder(nodeB.url().resolve("/api/agents/"
                            + agentId + "/files?offset=3&path=" + URLEncoder.encode(work.resolve("never.bin").toString(), StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + onB.token()).header("Content-Type", "application/octet-stream")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(large)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(refused.headers().firstValue(AgentFiles.OFFSET_HEADER)).contains("0");
        }

        // Any content type streams through: the upload is not read on B (over 4 MiB, which B would refuse to hold).
        Path other = work.resolve("relayed-text.bin");
        java.net.http.HttpResponse<String> text = plain.send(java.net.http.HttpRequest.newBuilder(nodeB.url().resolve("/api/agents/"
                        + agentId + "/files?path=" + URLEncoder.encode(other.toString(), StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + onB.token()).header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(content)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(text.statusCode()).as(text.body()).isEqualTo(201);
        assertThat(Files.readAllBytes(other)).isEqualTo(content);
    }

    @Test
    void aRequestIsPassedOnOnceAndANodeThatIsGoneGetsAClearAnswer() throws Exception {
        // Already passed on once (by a node with a stale view, or by a caller pretending): B does not pass it on again.
        GuruClient.RawResponse twice = onB.raw("GET", "/api/agents/" + agentId + "/files?path=/etc/hostname", null,
                Map.of("X-GuruRMM-Relayed-By", "relay-x"));
        assertThat(twice.status()).as(twice.body()).isEqualTo(409);
        assertThat(twice.body()).contains("agent_on_other_node").contains("relay-a");

        // A session held by a node that is alive in the table but does not answer at its URL.
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        UUID ghostSession = UUID.randomUUID();
        try (Connection c = DriverManager.getConnection(nodeA.database().jdbcUrl())) {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO nodes (name, started_at, heartbeat_at, url) VALUES ('relay-ghost', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?)")) {
                s.setString(1, "http://127.0.0.1:" + closedPort);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO tunnel_sessions (id, agent_id, user_id, user_name, context, term_cols, term_rows, state, created_at, node)
                    SELECT ?, ?, id, email, 'system', 80, 24, 'open', CURRENT_TIMESTAMP, 'relay-ghost' FROM users WHERE email = ?""")) {
                s.setObject(1, ghostSession);
                s.setObject(2, agentId);
                s.setString(3, TestServer.ADMIN_EMAIL);
                assertThat(s.executeUpdate()).isEqualTo(1);
            }
        }
        GuruClient.RawResponse unreachable = onB.raw("POST", "/api/v1/tunnel/sessions/" + ghostSession + "/close", null, Map.of());
        assertThat(unreachable.status()).as(unreachable.body()).isEqualTo(503);
        assertThat(unreachable.body()).contains("node_unreachable").contains("relay-ghost").contains("GURURMM_NODE_URL");

        // The node leaves the cluster (its row is swept): its sessions are ended, and say why.
        try (Connection c = DriverManager.getConnection(nodeA.database().jdbcUrl());
             PreparedStatement s = c.prepareStatement("DELETE FROM nodes WHERE name = 'relay-ghost'")) {
            s.executeUpdate();
        }
        nodeB.server().tunnels().endOrphaned();
        GuruClient.RawResponse ended = onB.raw("POST", "/api/v1/tunnel/sessions/" + ghostSession + "/close", null, Map.of());
        assertThat(ended.status()).as(ended.body()).isEqualTo(410);
        assertThat(onB.tunnelSessions()).filteredOn(s -> s.sessionId().equals(ghostSession)).singleElement()
                .satisfies(s -> assertThat(s.endReason()).contains("node holding the session stopped"));
        assertThatThrownBy(() -> onB.tunnelRecording(ghostSession)).isInstanceOf(GuruApiException.class);
    }

    private static <T> T withAgentLog(java.util.concurrent.Callable<T> call) throws Exception {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw new AssertionError(e + "; agent log: " + agent.log(), e);
        }
    }

    private static double relayedSockets(TestServer node) {
        return node.server().meters().registry().find(com.gururmm.server.observability.Meters.RELAYED)
                .tags("kind", "socket", "outcome", "ok").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static String sessionNode(UUID id) throws Exception {
        try (Connection c = DriverManager.getConnection(nodeA.database().jdbcUrl());
             PreparedStatement s = c.prepareStatement("SELECT node FROM tunnel_sessions WHERE id = ?")) {
            s.setObject(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.client.TunnelClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Tunnel.SessionView;
import com.gururmm.protocol.tunnel.TunnelControl;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The interactive shell end to end: a real server, a real agent process, a real PTY, the
 * client's WebSocket, exact output; reattach without loss, back-pressure, bad input.
 */
class TunnelTest {
    private static Fleet fleet;
    private static UUID agentId;
    private static GuruClient admin;

    @BeforeAll
    static void start() {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        agentId = fleet.onlineAgentId();
        admin = fleet.admin();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    /** Collects a session's output as text and waits for patterns in it. */
    static class Screen implements TunnelClient.Listener {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<String> errors = new CopyOnWriteArrayList<>();
        volatile String exitReason;

        @Override
        public synchronized void output(byte[] data) {
            bytes.writeBytes(data);
        }

        @Override
        public void exit(Integer code, String reason) {
            exitReason = reason;
        }

        @Override
        public void error(String code, String message) {
            errors.add(code + ": " + message);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        synchronized int length() {
            return bytes.size();
        }

        /** Waits for {@code regex} in the output after {@code from} (a char offset); returns the match. */
        Matcher await(String regex, int from) {
            Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
            Matcher[] found = new Matcher[1];
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Matcher m = pattern.matcher(text());
                if (m.find(Math.min(from, text().length()))) {
                    found[0] = m;
                    return true;
                }
                return false;
            });
            return found[0];
        }
    }

    private static SessionView open(GuruClient client) {
        return client.openTunnel(agentId, null, 80, 24);
    }

    @Test
    void aRealShellOnAPtyRunsCommandsResizesInterruptsAndExitsWithItsStatus() throws Exception {
        SessionView session = open(admin);
        assertThat(session.state()).isEqualTo("open");
        assertThat(session.tty()).matches("/dev/pts/\\d+");
        Screen screen = new Screen();
        try (TunnelClient terminal = admin.attachTunnel(session.sessionId(), screen)) {
            terminal.send("tty\r");
            screen.await("^/dev/pts/\\d+\\r?$", 0);

            terminal.resize(132, 43);
            int mark = screen.text().length();
            terminal.send("stty size\r");
            screen.await("^43 132\\r?$", mark);

            mark = screen.text().length();
            terminal.send("echo $((6*7))\r");
            screen.await("^42\\r?$", mark);

            mark = screen.text().length();
            long before = System.nanoTime();
            terminal.send("sleep 100\r");
            Thread.sleep(500);
            terminal.send(new byte[] {3});
            terminal.send("echo after-$((1+1))\r");
            screen.await("^after-2\\r?$", mark);
            assertThat(Duration.ofNanos(System.nanoTime() - before)).as("Ctrl-C interrupted sleep 100").isLessThan(Duration.ofSeconds(30));

            terminal.send("exit 3\r");
            assertThat(terminal.exit().get(30, TimeUnit.SECONDS)).isEqualTo(3);
        }
        SessionView ended = Awaitility.await().atMost(Duration.ofSeconds(10)).until(
                () -> admin.tunnelSessions().stream().filter(s -> s.sessionId().equals(session.sessionId())).findFirst().orElseThrow(),
                s -> s.state().equals("ended"));
        assertThat(ended.exitCode()).isEqualTo(3);
        assertThat(ended.bytesOut()).isPositive();

        // The transcript is asciicast v2, private to the server's user, and replays the output.
        java.nio.file.Path file = fleet.server().dataDir().resolve("tunnel-recordings").resolve(session.sessionId() + ".cast");
        assertThat(java.nio.file.Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        String cast = admin.tunnelRecording(session.sessionId());
        String[] lines = cast.split("\n");
        JsonNode header = Json.mapper().readTree(lines[0]);
        assertThat(header.get("version").asInt()).isEqualTo(2);
        assertThat(header.get("width").asInt()).isEqualTo(80);
        StringBuilder replay = new StringBuilder();
        boolean resized = false;
        for (int i = 1; i < lines.length; i++) {
            JsonNode event = Json.mapper().readTree(lines[i]);
            assertThat(event.isArray()).isTrue();
            assertThat(event.get(0).asDouble()).isGreaterThanOrEqualTo(0);
            if (event.get(1).asText().equals("o")) {
                replay.append(event.get(2).asText());
            } else if (event.get(1).asText().equals("r")) {
                resized |= event.get(2).asText().equals("132x43");
            }
        }
        assertThat(resized).isTrue();
        assertThat(Pattern.compile("^42\\r?$", Pattern.MULTILINE).matcher(replay).find()).as(replay.toString()).isTrue();

        List<String> actions = admin.audit().stream().filter(e -> session.sessionId().toString().equals(e.target()))
                .map(e -> e.action()).toList();
        assertThat(actions).contains("tunnel.start", "tunnel.end");
        assertThat(admin.audit().stream().filter(e -> e.action().equals("tunnel.end") && e.target().equals(session.sessionId().toString()))
                .findFirst().orElseThrow().detail()).contains("agent=" + agentId).contains("duration_seconds=").contains("exit_code=3");
    }

    @Test
    void aDroppedClientReattachesWithoutLosingAByte() throws Exception {
        SessionView session = open(admin);
        Screen screen = new Screen();
        try (TunnelClient terminal = admin.attachTunnel(session.sessionId(), screen)) {
            terminal.send("stty -echo; echo READY\r");
            int mark = screen.await("^READY\\r?$", 0).end();
            // Paced (a pause every 2000 lines), so the drops land while output is still being produced.
            terminal.send("seq 1 20000 | awk '{print; if (NR % 2000 == 0) system(\"sleep 0.2\")}'; echo DONE\r");
            screen.await("^500\\r?$", mark);
            terminal.dropConnection();   // reattaches by itself at the byte it got to
            screen.await("^9000\\r?$", mark);
            terminal.dropConnection();
            screen.await("^DONE\\r?$", mark);
            assertThat(terminal.reconnects()).isGreaterThanOrEqualTo(2);
            List<Integer> numbers = new ArrayList<>();
            Matcher m = Pattern.compile("^(\\d+)\\r?$", Pattern.MULTILINE).matcher(screen.text().substring(mark));
            while (m.find()) {
                numbers.add(Integer.parseInt(m.group(1)));
            }
            assertThat(numbers).hasSize(20000);
            for (int i = 0; i < numbers.size(); i++) {
                if (numbers.get(i) != i + 1) {
                    throw new AssertionError("line " + (i + 1) + " is " + numbers.get(i));
                }
            }
            terminal.terminate("test done");
            terminal.exit().get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFastProducerStallsAtTheWindowInsteadOfGrowingServerMemory() throws Exception {
        long window = fleet.server().server().config().tunnel().windowBytes();
        SessionView session = open(admin);
        Screen screen = new Screen() {
            @Override
            public synchronized void output(byte[] data) {
                // counted by the client, not kept: this test is about the server's memory
            }
        };
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        try (TunnelClient terminal = TunnelClient.attach(HttpClient.newHttpClient(), fleet.server().url(), admin.token(),
                session.sessionId(), screen, false)) {
            terminal.send("cat /dev/urandom | base64\r");
            Thread.sleep(3000);
            long stalledAt = terminal.received();
            Thread.sleep(1000);
            // Nothing acknowledged: the agent may not run more than a window ahead, so it stopped.
            assertThat(terminal.received()).isLessThanOrEqualTo(window).isEqualTo(stalledAt);
            assertThat(fleet.server().server().tunnels().bufferedBytes()).isLessThanOrEqualTo(window);

            // Acknowledging lets it flow again, many windows' worth, with the buffer still bounded.
            long maxBuffered = 0;
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < until) {
                terminal.ack();
                maxBuffered = Math.max(maxBuffered, fleet.server().server().tunnels().bufferedBytes());
                Thread.sleep(5);
            }
            assertThat(terminal.received()).as("output flows once acknowledged").isGreaterThan(3 * window);
            assertThat(maxBuffered).isLessThanOrEqualTo(window);
            System.gc();
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            assertThat(heapAfter - heapBefore).as("heap growth after " + terminal.received() + " bytes went through")
                    .isLessThan(64L * 1024 * 1024);
            terminal.send(new byte[] {3});
            terminal.terminate("test done");
            terminal.ack();
        }
    }

    @Test
    void badRequestsAreRefusedClearlyAndLeaveNoSessionOpen() throws Exception {
        int openBefore = openSessions();
        assertStatus(() -> admin.raw("POST", "/api/v1/tunnel/sessions", "{\"agent_id\":\"" + agentId + "\",\"cols\":0,\"rows\":0}", Map.of()),
                400, "cols");
        assertStatus(() -> admin.raw("POST", "/api/v1/tunnel/sessions", "{\"agent_id\":\"" + agentId + "\",\"cols\":100000,\"rows\":24}", Map.of()),
                400, "100000");
        assertStatus(() -> admin.raw("POST", "/api/v1/tunnel/sessions", "{\"cols\":80,\"rows\":24}", Map.of()), 400, "agent_id");
        assertStatus(() -> admin.raw("POST", "/api/v1/tunnel/sessions", "{\"agent_id\":\"" + agentId + "\",\"cols\":80}", Map.of()), 400, "rows");
        assertStatus(() -> admin.raw("POST", "/api/v1/tunnel/sessions", "{\"agent_id\":\"" + agentId + "\",\"cols\":80,\"rows\":24,\"context\":\"root\"}",
                Map.of()), 400, "context");
        assertStatus(() -> admin.raw("POST", "/api/v1/tunnel/sessions", "{\"agent_id\":\"" + UUID.randomUUID() + "\",\"cols\":80,\"rows\":24}",
                Map.of()), 404, "agent");
        assertStatus(() -> admin.raw("POST", "/api/v1/tunnel/sessions", "{\"agent_id\":\"" + agentId + "\",\"cols\":\"wide\",\"rows\":24}",
                Map.of()), 400, "");

        // An agent that is enrolled but not connected.
        UUID offline = admin.enroll(new EnrollRequest(fleet.server().enrollmentToken(), "dev-off", "machine-off-" + UUID.randomUUID(),
                "offline-host", "linux", "amd64", "0.1.0", "stable")).agentId();
        GuruClient.RawResponse refused = admin.raw("POST", "/api/v1/tunnel/sessions",
                "{\"agent_id\":\"" + offline + "\",\"cols\":80,\"rows\":24}", Map.of());
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("agent_offline").contains("offline");

        // user_session with nobody logged on: the agent's reason comes back, the session is recorded as failed.
        GuruClient.RawResponse noUser = admin.raw("POST", "/api/v1/tunnel/sessions",
                "{\"agent_id\":\"" + agentId + "\",\"cols\":80,\"rows\":24,\"context\":\"user_session\"}", Map.of());
        if (noUser.status() != 201) {
            assertThat(noUser.status()).as(noUser.body()).isEqualTo(409);
            assertThat(noUser.body()).contains("shell_refused");
            // The session's end is written before the refusal is answered.
            assertThat(admin.tunnelSessions().get(0).state()).isEqualTo("failed");
        } else {
            admin.raw("POST", "/api/v1/tunnel/sessions/" + Json.mapper().readTree(noUser.body()).get("session_id").asText() + "/close", null, Map.of());
        }

        // Bad frames on a live session: refused with an error frame, the session keeps working.
        SessionView session = open(admin);
        Screen screen = new Screen();
        try (TunnelClient terminal = admin.attachTunnel(session.sessionId(), screen)) {
            terminal.resize(0, 0);
            terminal.resize(100000, 24);
            terminal.sendRawText("{\"type\":\"resize\",\"cols\":");
            terminal.sendRawText("{\"type\":\"exit\",\"code\":1}");
            terminal.control(new TunnelControl.Ack(1L << 40));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> screen.errors.size() >= 5);
            assertThat(String.join("\n", screen.errors)).contains("bad_size: cols must be between 1 and 1000; got 0.")
                    .contains("got 100000").contains("malformed_control").contains("unexpected_control").contains("bad_seq");
            int mark = screen.text().length();
            terminal.send("stty size\r");
            screen.await("^24 80\\r?$", mark);

            // Someone else's session: refused at the upgrade, and for tickets too.
            admin.createUser("tunnel-tech@example.test", "technician-password-123", "technician", new com.gururmm.protocol.api.Auth.ScopeView(admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), java.util.List.of()));
            GuruClient tech = fleet.server().anonymousClient();
            tech.login("tunnel-tech@example.test", "technician-password-123");
            assertThatThrownBy(() -> tech.attachTunnel(session.sessionId(), new Screen()))
                    .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(403));
            assertStatus(() -> tech.raw("POST", "/api/v1/tunnel/sessions/" + session.sessionId() + "/ticket", null, Map.of()), 403, "another user");
            assertStatus(() -> tech.raw("GET", "/api/v1/tunnel/sessions/" + session.sessionId() + "/recording", null, Map.of()), 403, "another user");
            assertThat(tech.tunnelSessions()).noneMatch(s -> s.sessionId().equals(session.sessionId()));

            // A ticket opens the socket once, without an Authorization header.
            String ticket = admin.tunnelTicket(session.sessionId()).ticket();
            URI ws = URI.create("ws://127.0.0.1:" + fleet.server().port() + "/api/v1/tunnel/sessions/" + session.sessionId() + "?ticket=" + ticket);
            RawSocket byTicket = RawSocket.open(ws);
            byTicket.socket.sendText(TunnelControl.encode(new TunnelControl.Attach(0)), true).get(5, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> byTicket.texts.stream().anyMatch(t -> t.contains("\"attached\"")));
            assertThat(handshakeStatus(ws)).as("a ticket is single-use").isEqualTo(401);

            // An oversize frame closes that socket with 1009; the session survives and the client reattaches.
            byTicket.socket.sendBinary(ByteBuffer.allocate(TunnelControl.MAX_BINARY_FRAME + 1), true);
            assertThat(byTicket.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
            mark = screen.text().length();
            terminal.send("echo still-$((2+3))\r");
            screen.await("^still-5\\r?$", mark);
            terminal.terminate("test done");
            terminal.exit().get(20, TimeUnit.SECONDS);
        }
        assertThat(openSessions()).isEqualTo(openBefore);
    }

    @Test
    void disablingTheUserEndsTheirOpenShellWithinSeconds() throws Exception {
        String email = "revoked-tech-" + UUID.randomUUID() + "@example.test";
        var user = admin.createUser(email, "technician-password-123", "technician", new com.gururmm.protocol.api.Auth.ScopeView(
                admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), java.util.List.of()));
        GuruClient tech = fleet.server().anonymousClient();
        tech.login(email, "technician-password-123");
        SessionView session = open(tech);
        Screen screen = new Screen();
        try (TunnelClient terminal = tech.attachTunnel(session.sessionId(), screen)) {
            int mark = screen.text().length();
            terminal.send("echo before-$((1+1))\r");
            screen.await("^before-2\\r?$", mark);
            // The socket was authorized at its upgrade; the account is disabled while it is open.
            admin.updateUser(user.id(), true, null);
            terminal.exit().get(30, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(admin.tunnelSessions()).filteredOn(s -> s.sessionId().equals(session.sessionId())).singleElement()
                        .satisfies(s -> assertThat(s.endReason()).contains("access revoked")));
    }

    /** An API key is a bearer like a session for the shell too, and revoking it ends the open shell like a disabled account. */
    @Test
    void aTechniciansApiKeyOpensAShellAndRevokingItEndsTheShell() throws Exception {
        String email = "key-tech-" + UUID.randomUUID() + "@example.test";
        admin.createUser(email, "technician-password-123", "technician", new com.gururmm.protocol.api.Auth.ScopeView(
                admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), java.util.List.of()));
        GuruClient tech = fleet.server().anonymousClient();
        tech.login(email, "technician-password-123");
        var created = tech.createApiKey(new com.gururmm.protocol.api.ApiKeys.CreateRequest("shell automation"));
        GuruClient withKey = new GuruClient(fleet.server().url(), created.key());
        SessionView session = open(withKey);
        Screen screen = new Screen();
        try (TunnelClient terminal = withKey.attachTunnel(session.sessionId(), screen)) {
            int mark = screen.text().length();
            terminal.send("echo key-$((2+3))\r");
            screen.await("^key-5\\r?$", mark);
            tech.revokeApiKey(created.id());
            terminal.exit().get(30, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(admin.tunnelSessions()).filteredOn(s -> s.sessionId().equals(session.sessionId())).singleElement()
                        .satisfies(s -> assertThat(s.endReason()).contains("access revoked").contains("revoked")));
    }

    /**
     * An open shell waiting for input must not stall the agent's other work. pty4j's read blocks
     * in native code, which pins a virtual thread's carrier; there are as many carriers as cores,
     * so two idle shells on a two-core machine froze the agent (a command or a file transfer
     * waited until a shell printed). The agent here has one carrier, so one shell did it.
     */
    @Test
    void anIdleShellDoesNotStallTheAgentsCommands() throws Exception {
        com.gururmm.testkit.AgentProcess oneCarrier = fleet.track(com.gururmm.testkit.AgentProcess
                .create(fleet.server().url(), fleet.server().enrollmentToken())
                .jvmOption("-Djdk.virtualThreadScheduler.parallelism=1").start());
        UUID single = oneCarrier.awaitOnline(admin);
        SessionView session = admin.openTunnel(single, null, 80, 24);
        Screen screen = new Screen();
        try (TunnelClient terminal = admin.attachTunnel(session.sessionId(), screen)) {
            terminal.send("echo idle-$((3+4))\r");
            screen.await("^idle-7\\r?$", 0);
            // The shell now waits for input, its reader blocked on the PTY.
            UUID command = admin.runCommand(single, new com.gururmm.protocol.api.Commands.CommandRequest("sh", "echo while-a-shell-waits",
                    null, 30)).commandId();
            com.gururmm.protocol.api.Commands.CommandView done = admin.awaitCommand(command, Duration.ofSeconds(20));
            assertThat(done.status()).as("agent log: " + oneCarrier.log()).isEqualTo("completed");
            assertThat(done.stdout()).contains("while-a-shell-waits");
            terminal.terminate("test done");
            terminal.exit().get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void theServerHostsOwnAgentIsAdminOnly() {
        String hostToken = fleet.server().server().enrollmentTokens().createServerHostToken(Duration.ofMinutes(5)).token();
        String machine = UUID.randomUUID().toString();
        UUID host = fleet.server().anonymousClient().enroll(new EnrollRequest(hostToken, "dev-" + machine, machine, "server-host", "linux",
                "amd64", "0.1.0", "stable")).agentId();
        admin.createUser("host-tech@example.test", "technician-password-123", "technician", new com.gururmm.protocol.api.Auth.ScopeView(admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), java.util.List.of()));
        GuruClient tech = fleet.server().anonymousClient();
        tech.login("host-tech@example.test", "technician-password-123");
        assertStatus(() -> tech.raw("POST", "/api/v1/tunnel/sessions", "{\"agent_id\":\"" + host + "\",\"cols\":80,\"rows\":24}", Map.of()),
                403, "admin");
        // An admin passes the scope rule (and then finds the offline agent).
        assertStatus(() -> admin.raw("POST", "/api/v1/tunnel/sessions", "{\"agent_id\":\"" + host + "\",\"cols\":80,\"rows\":24}", Map.of()),
                409, "offline");
    }

    @Test
    void idleSessionsAreClosedAndThePerAgentLimitHolds() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_TUNNEL_IDLE_SECONDS", "3",
                "GURURMM_TUNNEL_MAX_PER_AGENT", "1"));
             Fleet small = new Fleet(server)) {
            UUID agent = small.onlineAgentId();
            GuruClient client = server.adminClient();
            SessionView session = client.openTunnel(agent, "system", 80, 24);
            assertStatus(() -> client.raw("POST", "/api/v1/tunnel/sessions", "{\"agent_id\":\"" + agent + "\",\"cols\":80,\"rows\":24}", Map.of()),
                    429, "GURURMM_TUNNEL_MAX_PER_AGENT=1");
            Screen screen = new Screen();
            long start = System.nanoTime();
            try (TunnelClient terminal = client.attachTunnel(session.sessionId(), screen)) {
                assertThat(terminal.exit().get(30, TimeUnit.SECONDS)).isNull();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(screen.exitReason).contains("idle");
            SessionView ended = client.tunnelSessions().get(0);
            assertThat(ended.state()).isEqualTo("ended");
            assertThat(ended.endReason()).contains("idle for 3 s");

            // The agent's own limit: an agent that allows no shells says so, and no session is left open.
            UUID noShells = small.track(com.gururmm.testkit.AgentProcess.create(server.url(), server.enrollmentToken())
                    .env("GURURMM_TUNNEL_MAX_SESSIONS", "0")).start().awaitOnline(client);
            assertStatus(() -> client.raw("POST", "/api/v1/tunnel/sessions", "{\"agent_id\":\"" + noShells + "\",\"cols\":80,\"rows\":24}",
                    Map.of()), 409, "GURURMM_TUNNEL_MAX_SESSIONS=0");
            assertThat(client.tunnelSessions().get(0).state()).isEqualTo("failed");
        }
    }

    /**
     * A node's default name is host:port, so a server started on another port (or in a new
     * container) has a new name. Its recordings on its disk are still its own: before, reading one
     * answered 409 session_on_other_node naming the old name, and pruning never selected it.
     */
    @Test
    void recordingsStayReadableAfterTheServerComesBackUnderAnotherName() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_TUNNEL_RECORDING", "on"));
             Fleet small = new Fleet(server)) {
            UUID agent = small.onlineAgentId();
            GuruClient client = server.adminClient();
            SessionView session = client.openTunnel(agent, "system", 80, 24);
            Screen screen = new Screen();
            try (TunnelClient terminal = client.attachTunnel(session.sessionId(), screen)) {
                terminal.send("echo recorded-$((5*5))\r");
                screen.await("^recorded-25\\r?$", 0);
                terminal.send("exit\r");
                terminal.exit().get(30, TimeUnit.SECONDS);
            }
            int before = server.port();
            server.stop();
            server.startOn(0);
            assertThat(server.port()).isNotEqualTo(before);
            assertThat(server.adminClient().tunnelRecording(session.sessionId())).contains("recorded-25");
        }
    }

    private static int openSessions() {
        return (int) admin.tunnelSessions().stream().filter(s -> s.state().equals("open") || s.state().equals("starting")).count();
    }

    private static void assertStatus(java.util.function.Supplier<GuruClient.RawResponse> call, int status, String mentions) {
        GuruClient.RawResponse response = call.get();
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains(mentions);
    }

    static int handshakeStatus(URI uri) throws Exception {
        try {
            HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS).abort();
            return 101;
        } catch (ExecutionException e) {
            return e.getCause() instanceof WebSocketHandshakeException h ? h.getResponse().statusCode() : -1;
        }
    }

    /** A bare WebSocket, to send what {@link TunnelClient} never would. */
    static final class RawSocket implements WebSocket.Listener {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket;

        static RawSocket open(URI uri) throws Exception {
            RawSocket raw = new RawSocket();
            raw.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, raw).get(10, TimeUnit.SECONDS);
            return raw;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            texts.add(data.toString());
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}

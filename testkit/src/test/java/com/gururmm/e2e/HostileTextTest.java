package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.client.GuruClient.RawResponse;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.protocol.api.Batches.BatchResult;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.protocol.api.EnrollmentTokens.TokenView;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.Inventory;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import com.gururmm.testkit.SharedFleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Text that databases and filters treat specially: NUL (PostgreSQL's TEXT cannot hold it),
 * backslash, {@code %} and {@code _} (LIKE's escape and wildcards), control characters from
 * agents, and agent clocks that lie. Output is stored faithfully, input NULs are a 400 that
 * changes nothing, filters match literally, and no agent can make the server fail a write.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostileTextTest {
    private static final SharedFleet FLEET = new SharedFleet();

    @Parameter
    TestDatabase.Kind kind;
    private GuruClient admin;
    private UUID agentId;
    private TestServer server;

    @BeforeEach
    void useFleet() {
        admin = FLEET.get(kind).admin();
        server = FLEET.get(kind).server();
        agentId = FLEET.agentId();
    }

    @AfterAll
    static void stopFleet() {
        FLEET.close();
    }

    @Test
    void outputWithNulBytesRoundTripsExactly() {
        // Bytes a, NUL, b, backslash, '0', c, backslash, backslash: the escape form itself must round-trip too.
        String script = "printf 'a\\0b\\\\0c\\\\\\\\'; printf 'e\\0rr' >&2";
        UUID id = admin.runCommand(agentId, new CommandRequest("sh", script, null, 30)).commandId();
        CommandView view = admin.awaitCommand(id, Duration.ofSeconds(60));
        assertThat(view.status()).as("error: %s", view.error()).isEqualTo("completed");
        assertThat(view.stdout()).isEqualTo("a\u0000b\\0c\\\\");
        assertThat(view.stderr()).isEqualTo("e\u0000rr");
        assertThat(admin.agentCommands(agentId).stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow().stdout())
                .isEqualTo("a\u0000b\\0c\\\\");

        // Output without a NUL is stored as is, backslashes and all.
        CommandView plain = admin.awaitCommand(admin.runCommand(agentId, new CommandRequest("sh", "printf '%s' 'x\\0y'", null, 30))
                .commandId(), Duration.ofSeconds(60));
        assertThat(plain.stdout()).isEqualTo("x\\0y");

        var batch = admin.runBatch(new BatchRequest(List.of(agentId), null, "sh", "printf 'p\\0q'", null, 30));
        var done = admin.awaitBatch(batch.batchId(), Duration.ofSeconds(60));
        BatchResult result = done.results().getFirst();
        assertThat(result.status()).isEqualTo("completed");
        assertThat(result.stdout()).isEqualTo("p\u0000q");
    }

    @Test
    void everyNulInInputIsA400AndChangesNothing() throws Exception {
        int commandsBefore = admin.agentCommands(agentId, null, 500).size();
        String nul = "\\u0000";
        expectBadRequest(post(admin, "/api/agents/" + agentId + "/command", "{\"command_type\":\"sh\",\"command\":\"echo a" + nul + "b\"}"),
                "command");
        expectBadRequest(post(admin, "/api/commands", "{\"agent_ids\":[\"" + agentId + "\"],\"command_type\":\"sh\",\"command\":\"echo " + nul + "\"}"),
                "command");
        expectBadRequest(post(admin, "/api/commands", "{\"filter\":{\"hostname\":\"x" + nul + "\"},\"command_type\":\"sh\",\"command\":\"echo\"}"),
                "filter.hostname");
        assertThat(admin.agentCommands(agentId, null, 500)).hasSize(commandsBefore);

        GuruClient anonymous = new GuruClient(admin.baseUrl());
        expectBadRequest(post(anonymous, "/api/auth/login", "{\"email\":\"admin@example.test" + nul + "\",\"password\":\"x\"}"), "email");

        int tokensBefore = admin.enrollmentTokens().size();
        expectBadRequest(post(admin, "/api/enrollment-tokens", "{\"site\":\"a" + nul + "\"}"), "site");
        expectBadRequest(post(admin, "/api/users", "{\"email\":\"n" + nul + "@x.test\",\"password\":\"long enough password\",\"role\":\"viewer\"}"),
                "email");
        assertThat(admin.enrollmentTokens()).hasSize(tokensBefore);

        // A single-use token survives an enrollment refused for a NUL in the hostname, and then works.
        TokenView once = admin.createEnrollmentToken(new CreateRequest(null, 1, 1));
        String machine = UUID.randomUUID().toString();
        String body = Json.mapper().writeValueAsString(new EnrollRequest(once.token(), "dev", machine, "host\u0000name",
                "linux", "amd64", "0.1.0", "stable"));
        expectBadRequest(post(anonymous, "/api/agent/enroll", body), "hostname");
        assertThat(admin.enrollmentTokens().stream().filter(t -> t.id().equals(once.id())).findFirst().orElseThrow().uses()).isZero();
        assertThat(post(anonymous, "/api/agent/enroll", body.replace("\\u0000", "")).status()).isEqualTo(200);

        expectBadRequest(admin.raw("GET", "/api/agents?hostname=a%00b", null, Map.of()), "hostname");
        expectBadRequest(admin.raw("GET", "/api/agents?site=%00", null, Map.of()), "site");
        expectBadRequest(admin.raw("GET", "/api/audit?action=%00", null, Map.of()), "action");
        assertThat(admin.raw("GET", "/api/agents/%00", null, Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("GET", "/api/commands/%00", null, Map.of()).status()).isEqualTo(400);
    }

    @Test
    void hostnameFiltersTreatBackslashPercentAndUnderscoreLiterally() throws Exception {
        String tag = "f" + UUID.randomUUID().toString().substring(0, 6);
        UUID backslash = enroll(tag + "-back\\slash");
        UUID percent = enroll(tag + "-per%cent");
        UUID underscore = enroll(tag + "-under_score");
        UUID plain = enroll(tag + "-plain-bang!");

        assertThat(filter("\\")).as("a lone backslash is a literal that matches no hostname").isEmpty();
        assertThat(filter("*\\")).isEmpty();
        assertThat(filter(tag + "-back\\slash")).containsExactly(backslash);
        assertThat(filter(tag + "*\\*")).containsExactly(backslash);
        assertThat(filter(tag + "*%*")).containsExactly(percent);
        assertThat(filter(tag + "*_*")).containsExactly(underscore);
        assertThat(filter(tag + "-under?score")).containsExactly(underscore);
        assertThat(filter(tag + "*!*")).containsExactly(plain);
        assertThat(filter(tag + "-*")).containsExactlyInAnyOrder(backslash, percent, underscore, plain);
        assertThat(filter(tag.toUpperCase() + "-PER%CENT")).as("case-insensitive, as before").containsExactly(percent);

        // The bulk filter resolves agents the same way: no 500, literal matches.
        RawResponse none = post(admin, "/api/commands", "{\"filter\":{\"hostname\":\"\\\\\"},\"command_type\":\"sh\",\"command\":\"true\"}");
        assertThat(none.status()).as(none.body()).isEqualTo(400);
        assertThat(none.body()).contains("matches no agent");
        var batch = admin.runBatch(new BatchRequest(null, new AgentFilter(null, null, null, tag + "*\\*"), "sh", "true", null, 30));
        assertThat(batch.agentCount()).isEqualTo(1);
        assertThat(admin.batch(batch.batchId()).results()).extracting(BatchResult::agentId).containsExactly(backslash);
    }

    @Test
    void controlCharactersInAgentReportsAreReplacedNotStored() throws Exception {
        RawAgent raw = RawAgent.enroll(server);
        raw.send(new AgentMessage.Hello(Wire.PROTOCOL_VERSION, new Inventory("evil\u0000host\u001b]0;x\u0007\n", "linux",
                "os\u0000ver\u202egpj.exe", "amd64", "0.1.0", "stable", raw.machineUid, "dev\u0000id", List.of("10.0.0.1\u0000"),
                List.of("ro\u0000ot"), new Inventory.Health(true, List.of("pro\u0000blem"), null))));
        assertThat(raw.next()).as("a welcome, not a server_error").isInstanceOf(ServerMessage.Welcome.class);
        var detail = admin.agent(raw.agentId);
        assertThat(detail.hostname()).isEqualTo("evil\uFFFDhost\uFFFD]0;x\uFFFD\uFFFD");
        assertThat(detail.osVersion()).as("a bidi override is replaced too").isEqualTo("os\uFFFDver\uFFFDgpj.exe");
        assertThat(detail.ipAddresses()).containsExactly("10.0.0.1\uFFFD");
        assertThat(detail.loggedOnUsers()).containsExactly("ro\uFFFDot");

        raw.send(new AgentMessage.InventoryReport(new Inventory("second\u0000", "linux", "v", "amd64", "0.1.0", "stable",
                raw.machineUid, "dev", List.of(), List.of(), Inventory.Health.ok())));
        org.awaitility.Awaitility.await("inventory report stored").atMost(Duration.ofSeconds(10))
                .until(() -> admin.agent(raw.agentId).hostname().equals("second\uFFFD"));
        assertThat(raw.drain()).noneMatch(m -> m instanceof ServerMessage.Refused);
        raw.socket.abort();
    }

    @Test
    void agentTimestampsAreClampedToWhatTheServerSaw() throws Exception {
        RawAgent raw = RawAgent.enroll(server);
        raw.hello();
        Instant before = Instant.now();

        // Started "in 2000", finished before it started: stored as after creation, completion after start.
        UUID early = admin.runCommand(raw.agentId, new CommandRequest("sh", "true", null, 30)).commandId();
        assertThat(raw.next()).isInstanceOf(ServerMessage.RunCommand.class);
        raw.send(new AgentMessage.CommandStarted(early, Instant.parse("2000-01-01T00:00:00Z")));
        raw.send(new AgentMessage.CommandResult(early, "completed", 0, "", "", false, false, null,
                Instant.parse("2000-01-01T00:00:00Z"), Instant.parse("1999-01-01T00:00:00Z")));
        awaitAck(raw, early);
        CommandView e = admin.command(early);
        assertThat(e.startedAt()).isAfterOrEqualTo(e.createdAt());
        assertThat(e.completedAt()).isAfterOrEqualTo(e.startedAt());

        // From the future: never later than the server's clock at the time it arrived.
        UUID future = admin.runCommand(raw.agentId, new CommandRequest("sh", "true", null, 30)).commandId();
        assertThat(raw.next()).isInstanceOf(ServerMessage.RunCommand.class);
        raw.send(new AgentMessage.CommandResult(future, "completed", 0, "", "", false, false, null,
                Instant.parse("2999-01-01T00:00:00Z"), Instant.parse("2998-01-01T00:00:00Z")));
        awaitAck(raw, future);
        Instant after = Instant.now();
        CommandView f = admin.command(future);
        assertThat(f.startedAt()).isBetween(f.createdAt(), after.plusSeconds(1));
        assertThat(f.completedAt()).isBetween(f.startedAt(), after.plusSeconds(1));
        assertThat(f.createdAt()).isAfterOrEqualTo(before.minusSeconds(1));

        // Honest times inside the window are kept as sent.
        UUID honest = admin.runCommand(raw.agentId, new CommandRequest("sh", "true", null, 30)).commandId();
        assertThat(raw.next()).isInstanceOf(ServerMessage.RunCommand.class);
        Instant created = admin.command(honest).createdAt();
        Instant start = created.plusMillis(1);
        Instant end = Instant.now().isAfter(start.plusMillis(1)) ? start.plusMillis(1) : start;
        raw.send(new AgentMessage.CommandResult(honest, "completed", 0, "", "", false, false, null, start, end));
        awaitAck(raw, honest);
        CommandView h = admin.command(honest);
        assertThat(h.startedAt()).isEqualTo(start);
        assertThat(h.completedAt()).isEqualTo(end);
        raw.socket.abort();
    }

    private static void awaitAck(RawAgent raw, UUID commandId) throws Exception {
        while (true) {
            ServerMessage m = raw.next();
            assertThat(m).as("no refusal").isNotInstanceOf(ServerMessage.Refused.class);
            if (m instanceof ServerMessage.ResultAck ack && ack.commandId().equals(commandId)) {
                return;
            }
        }
    }

    private UUID enroll(String hostname) {
        return admin.enroll(new EnrollRequest(server.enrollmentToken(), "dev", UUID.randomUUID().toString(), hostname,
                "linux", "amd64", "0.1.0", "stable")).agentId();
    }

    private List<UUID> filter(String glob) {
        return admin.agents(Map.of("hostname", glob)).stream().map(AgentSummary::id).toList();
    }

    private static RawResponse post(GuruClient client, String path, String body) {
        return client.raw("POST", path, body, Map.of());
    }

    private static void expectBadRequest(RawResponse response, String mentions) throws Exception {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        JsonNode body = Json.mapper().readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("bad_request");
        assertThat(body.get("message").asText()).contains(mentions);
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.client.GuruClient.RawResponse;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.protocol.api.EnrollmentTokens.TokenView;
import com.gururmm.testkit.SharedFleet;
import com.gururmm.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Malformed, missing, mistyped, oversize and hostile input: each gets a clear error in the
 * SPEC's shape, never a 500, and changes nothing.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class BadInputTest {
    private static final SharedFleet FLEET = new SharedFleet();

    @Parameter
    TestDatabase.Kind kind;
    private GuruClient admin;
    private UUID agentId;

    @BeforeEach
    void useFleet() {
        admin = FLEET.get(kind).admin();
        agentId = FLEET.agentId();
    }

    @AfterAll
    static void stopFleet() {
        FLEET.close();
    }

    private static JsonNode expectError(RawResponse response, int status) throws Exception {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        JsonNode body = Json.mapper().readTree(response.body());
        assertThat(body.get("error").asText()).isNotBlank();
        assertThat(body.get("message").asText()).isNotBlank();
        return body;
    }

    private RawResponse post(String path, String body) {
        return admin.raw("POST", path, body, Map.of());
    }

    @Test
    void commandRouteRefusesBadBodiesAndStoresNothing() throws Exception {
        String path = "/api/agents/" + agentId + "/command";
        int before = admin.agentCommands(agentId).size();
        expectError(post(path, "{not json"), 400);
        expectError(post(path, "null"), 400);
        expectError(post(path, "[]"), 400);
        expectError(post(path, ""), 400);
        assertThat(expectError(post(path, "{\"command\":\"echo\"}"), 400).get("message").asText()).contains("command_type");
        assertThat(expectError(post(path, "{\"command_type\":\"zsh\",\"command\":\"echo\"}"), 400).get("message").asText())
                .contains("zsh").contains("bash");
        assertThat(expectError(post(path, "{\"command_type\":\"bash\",\"command\":\"echo\",\"context\":\"admin\"}"), 400)
                .get("message").asText()).contains("admin");
        assertThat(expectError(post(path, "{\"command_type\":\"bash\",\"command\":\"echo\",\"timeout_seconds\":\"30\"}"), 400)
                .get("message").asText()).contains("timeout_seconds");
        expectError(post(path, "{\"command_type\":\"bash\",\"command\":\"echo\",\"timeout_seconds\":1.5}"), 400);
        expectError(post(path, "{\"command_type\":\"bash\",\"command\":\"echo\",\"timeout_seconds\":0}"), 400);
        expectError(post(path, "{\"command_type\":\"bash\",\"command\":\"echo\",\"timeout_seconds\":86401}"), 400);
        expectError(post(path, "{\"command_type\":\"bash\",\"command\":42}"), 400);
        expectError(post(path, "{\"command_type\":\"bash\",\"command\":\"   \"}"), 400);
        expectError(post(path, "{\"command_type\":\"bash\",\"command\":\"echo\"} trailing"), 400);

        String oneMiBPlusOne = "x".repeat(1024 * 1024 + 1);
        assertThat(expectError(post(path, "{\"command_type\":\"bash\",\"command\":\"" + oneMiBPlusOne + "\"}"), 413)
                .get("message").asText()).contains("1048577");
        String fiveMiB = "x".repeat(5 * 1024 * 1024);
        expectError(post(path, "{\"command_type\":\"bash\",\"command\":\"" + fiveMiB + "\"}"), 413);

        expectError(post("/api/agents/" + UUID.randomUUID() + "/command", "{\"command_type\":\"bash\",\"command\":\"echo\"}"), 404);
        expectError(post("/api/agents/not-a-uuid/command", "{\"command_type\":\"bash\",\"command\":\"echo\"}"), 400);
        assertThat(admin.agentCommands(agentId)).hasSize(before);
    }

    @Test
    void exactlyOneMiBScriptIsAccepted() {
        String script = "#" + "x".repeat(1024 * 1024 - 10) + "\ntrue\n";
        assertThat(script.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024 * 1024);
        UUID id = admin.runCommand(agentId, new com.gururmm.protocol.api.Commands.CommandRequest("bash", script, null, 30)).commandId();
        assertThat(admin.awaitCommand(id, java.time.Duration.ofSeconds(30)).status()).isEqualTo("completed");
    }

    @Test
    void unknownIdsAndRoutesAre404() throws Exception {
        expectError(admin.raw("GET", "/api/commands/" + UUID.randomUUID(), null, Map.of()), 404);
        expectError(admin.raw("GET", "/api/agents/" + UUID.randomUUID(), null, Map.of()), 404);
        expectError(admin.raw("GET", "/api/commands/%2e%2e%2fetc", null, Map.of()), 400);
        expectError(admin.raw("POST", "/api/commands/" + UUID.randomUUID() + "/cancel", null, Map.of()), 404);
        expectError(admin.raw("DELETE", "/api/enrollment-tokens/" + UUID.randomUUID(), null, Map.of()), 404);
        expectError(admin.raw("GET", "/api/no-such-route", null, Map.of()), 404);
    }

    @Test
    void loginRefusesBadInput() throws Exception {
        GuruClient anonymous = new GuruClient(admin.baseUrl());
        expectError(anonymous.raw("POST", "/api/auth/login", "{", Map.of()), 400);
        expectError(anonymous.raw("POST", "/api/auth/login", "{\"email\":\"a@b.c\"}", Map.of()), 400);
        expectError(anonymous.raw("POST", "/api/auth/login", "{\"email\":1,\"password\":2}", Map.of()), 400);
        assertThat(expectError(anonymous.raw("POST", "/api/auth/login",
                "{\"email\":\"admin@example.test\",\"password\":\"wrong password\"}", Map.of()), 401).get("message").asText())
                .contains("wrong");
    }

    @Test
    void expiredForgedAndAlgNoneTokensAreRefused() throws Exception {
        byte[] key = serverJwtKey();
        Instant now = Instant.now();
        UUID userId = admin.me().id();
        var session = JWT.decode(admin.token());
        String expired = JWT.create().withIssuer("gururmm").withSubject(userId.toString()).withJWTId(session.getId())
                .withIssuedAt(now.minusSeconds(90_000)).withExpiresAt(now.minusSeconds(3_600)).sign(Algorithm.HMAC256(key));
        String forged = JWT.create().withIssuer("gururmm").withSubject(userId.toString())
                .withIssuedAt(now).withExpiresAt(now.plusSeconds(3_600)).sign(Algorithm.HMAC256("not the server's key"));
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = b64("{\"iss\":\"gururmm\",\"sub\":\"" + userId + "\",\"exp\":" + now.plusSeconds(3600).getEpochSecond() + "}");
        String algNone = header + "." + payload + ".";
        // A real session's claims re-signed: a signature alone is not enough, the session must exist.
        String valid = JWT.create().withIssuer("gururmm").withSubject(userId.toString()).withJWTId(session.getId())
                .withIssuedAt(session.getIssuedAtAsInstant()).withExpiresAt(session.getExpiresAtAsInstant()).sign(Algorithm.HMAC256(key));

        GuruClient anonymous = new GuruClient(admin.baseUrl());
        assertThat(expectError(anonymous.raw("GET", "/api/agents", null, Map.of("Authorization", "Bearer " + expired)), 401)
                .get("message").asText()).contains("expired");
        expectError(anonymous.raw("GET", "/api/agents", null, Map.of("Authorization", "Bearer " + forged)), 401);
        expectError(anonymous.raw("GET", "/api/agents", null, Map.of("Authorization", "Bearer " + algNone)), 401);
        expectError(anonymous.raw("GET", "/api/agents", null, Map.of("Authorization", "Bearer garbage")), 401);
        expectError(anonymous.raw("GET", "/api/agents", null, Map.of("Authorization", "Basic YWRtaW46eA==")), 401);
        assertThat(anonymous.raw("GET", "/api/agents", null, Map.of("Authorization", "Bearer " + valid)).status())
                .as("the control: a token signed with the real key works").isEqualTo(200);
    }

    @Test
    void loginTokenLastsExactlyADay() {
        var login = new GuruClient(admin.baseUrl()).login("admin@example.test", "correct horse battery staple");
        var decoded = JWT.decode(login.token());
        assertThat(decoded.getExpiresAtAsInstant().getEpochSecond() - decoded.getIssuedAtAsInstant().getEpochSecond()).isEqualTo(86_400);
        assertThat(login.expiresAt()).isEqualTo(decoded.getExpiresAtAsInstant());
    }

    @Test
    void revokedExhaustedAndExpiredEnrollmentTokensAreRefused() throws Exception {
        GuruClient anonymous = new GuruClient(admin.baseUrl());
        int agentsBefore = admin.agents().size();
        TokenView revoked = admin.createEnrollmentToken(new CreateRequest("s", 1, null));
        admin.revokeEnrollmentToken(revoked.id());
        assertThat(expectError(anonymous.raw("POST", "/api/agent/enroll", enrollBody(revoked.token()), Map.of()), 403)
                .get("message").asText()).contains("revoked");
        expectError(admin.raw("DELETE", "/api/enrollment-tokens/" + revoked.id(), null, Map.of()), 409);

        TokenView once = admin.createEnrollmentToken(new CreateRequest(null, 1, 1));
        assertThat(anonymous.raw("POST", "/api/agent/enroll", enrollBody(once.token()), Map.of()).status()).isEqualTo(200);
        assertThat(expectError(anonymous.raw("POST", "/api/agent/enroll", enrollBody(once.token()), Map.of()), 403)
                .get("message").asText()).contains("maximum of 1");

        TokenView old = admin.createEnrollmentToken(new CreateRequest(null, 1, null));
        expireToken(old.id());
        assertThat(expectError(anonymous.raw("POST", "/api/agent/enroll", enrollBody(old.token()), Map.of()), 403)
                .get("message").asText()).contains("expired");

        TokenView good = admin.createEnrollmentToken(new CreateRequest(null, 1, null));
        expectError(anonymous.raw("POST", "/api/agent/enroll", "{\"enrollment_token\":\"" + good.token() + "\"}", Map.of()), 400);
        expectError(anonymous.raw("POST", "/api/agent/enroll", enrollBody(good.token()).replace("\"linux\"", "\"beos\""), Map.of()), 400);
        expectError(anonymous.raw("POST", "/api/agent/enroll", enrollBody(good.token()).replace("\"0.1.0\"", "\"; drop table\""), Map.of()), 400);
        expectError(anonymous.raw("POST", "/api/agent/enroll", "{", Map.of()), 400);
        assertThat(admin.enrollmentTokens().stream().filter(t -> t.id().equals(good.id())).findFirst().orElseThrow().uses())
                .as("bad enrollments spend no use of the token").isZero();
        assertThat(admin.agents()).hasSize(agentsBefore + 1);
    }

    @Test
    void userCreationRefusesBadInputAndDuplicates() throws Exception {
        int before = admin.raw("GET", "/api/users", null, Map.of()).body().split("\"email\"").length;
        expectError(post("/api/users", "{"), 400);
        expectError(post("/api/users", "{\"email\":\"a@b.test\"}"), 400);
        expectError(post("/api/users", "{\"email\":\"no-at-sign\",\"password\":\"long enough password\",\"role\":\"viewer\"}"), 400);
        expectError(post("/api/users", "{\"email\":\"a@b.test\",\"password\":\"short\",\"role\":\"viewer\"}"), 400);
        expectError(post("/api/users", "{\"email\":\"a@b.test\",\"password\":\"long enough password\",\"role\":\"root\"}"), 400);
        expectError(post("/api/users", "{\"email\":\"a@b.test\",\"password\":\"" + "p".repeat(2000) + "\",\"role\":\"viewer\"}"), 400);
        expectError(post("/api/users", "{\"email\":[1],\"password\":\"long enough password\",\"role\":\"viewer\"}"), 400);
        assertThat(admin.raw("GET", "/api/users", null, Map.of()).body().split("\"email\"")).as("nothing created").hasSize(before);
        String email = "dup-" + UUID.randomUUID() + "@example.test";
        assertThat(post("/api/users", "{\"email\":\"" + email + "\",\"password\":\"long enough password\",\"role\":\"viewer\"}").status()).isEqualTo(201);
        expectError(post("/api/users", "{\"email\":\"" + email.toUpperCase() + "\",\"password\":\"long enough password\",\"role\":\"viewer\"}"), 409);
    }

    @Test
    void aHugeQueryValueIsNotEchoedBackWhole() throws Exception {
        String huge = "9x" + "A".repeat(6000);
        for (String path : java.util.List.of("/api/audit?limit=" + huge, "/api/audit?before=" + huge, "/api/agents?status=" + huge,
                "/api/agents/" + agentId + "/commands?limit=" + huge, "/api/commands/" + UUID.randomUUID() + "?wait=" + huge)) {
            RawResponse response = admin.raw("GET", path, null, Map.of());
            String message = expectError(response, 400).get("message").asText();
            assertThat(message).as(path).contains("9xAAAA").hasSizeLessThan(300);
        }
    }

    @Test
    void enrollmentTokenCreationValidates() throws Exception {
        expectError(post("/api/enrollment-tokens", "{\"expires_in_hours\":0}"), 400);
        expectError(post("/api/enrollment-tokens", "{\"expires_in_hours\":100000}"), 400);
        expectError(post("/api/enrollment-tokens", "{\"max_uses\":0}"), 400);
        expectError(post("/api/enrollment-tokens", "{\"max_uses\":\"ten\"}"), 400);
        expectError(post("/api/enrollment-tokens", "{\"site\":\"" + "s".repeat(201) + "\"}"), 400);
    }

    private static String enrollBody(String token) {
        return "{\"enrollment_token\":\"" + token + "\",\"device_id\":\"" + UUID.randomUUID() + "\",\"machine_uid\":\"" + UUID.randomUUID()
                + "\",\"hostname\":\"h\",\"os\":\"linux\",\"arch\":\"amd64\",\"version\":\"0.1.0\",\"channel\":\"stable\"}";
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] serverJwtKey() throws Exception {
        Path file = FLEET.get(kind).server().server().config().jwtKeyPath();
        return Base64.getDecoder().decode(Files.readString(file).strip());
    }

    private void expireToken(UUID id) throws Exception {
        try (Connection c = DriverManager.getConnection(FLEET.get(kind).server().database().jdbcUrl());
             PreparedStatement s = c.prepareStatement("UPDATE enrollment_tokens SET expires_at = ? WHERE id = ?")) {
            s.setObject(1, java.time.OffsetDateTime.now().minusMinutes(1));
            s.setObject(2, id);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }
}

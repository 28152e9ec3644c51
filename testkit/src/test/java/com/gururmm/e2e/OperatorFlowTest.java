package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The operator's flow from SPEC section 3 over plain HTTP and hand-written JSON, the way a
 * curl-and-python script does it: log in, list agents, submit a multi-line script, poll while
 * the status is running, read the result.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class OperatorFlowTest {
    @Parameter
    TestDatabase.Kind kind;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode call(URI base, String method, String path, String token, String body, int expectedStatus) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + " -> " + response.body()).isEqualTo(expectedStatus);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return json.readTree(response.body());
    }

    @Test
    void loginListSubmitPollRead() throws Exception {
        try (TestServer server = TestServer.start(kind);
             AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken())) {
            agent.start().awaitOnline(server.adminClient());
            URI base = server.url();

            JsonNode login = call(base, "POST", "/api/auth/login", null,
                    "{\"email\": \"admin@example.test\", \"password\": \"correct horse battery staple\"}", 200);
            String token = login.get("token").asText();
            assertThat(token.split("\\.")).hasSize(3);
            assertThat(OffsetDateTime.parse(login.get("expires_at").asText()).toInstant()).isAfter(Instant.now().plusSeconds(86_000));

            JsonNode agents = call(base, "GET", "/api/agents", token, null, 200);
            assertThat(agents.isArray()).isTrue();
            JsonNode first = agents.get(0);
            for (String field : new String[] {"id", "hostname", "os", "arch", "version", "channel", "status", "last_seen", "machine_uid"}) {
                assertThat(first.has(field)).as(field).isTrue();
            }
            assertThat(first.get("status").asText()).isEqualTo("online");
            assertThat(first.get("os").asText()).isEqualTo("linux");
            String agentId = first.get("id").asText();

            String script = """
                    name="GuruRMM"
                    for i in 1 2 3; do
                      echo "line $i of $name"
                    done
                    echo 'to stderr' >&2
                    exit 2""";
            String body = json.createObjectNode().put("command_type", "bash").put("command", script).put("timeout_seconds", 60).toString();
            JsonNode submitted = call(base, "POST", "/api/agents/" + agentId + "/command", token, body, 201);
            String commandId = submitted.get("command_id").asText();

            JsonNode result = call(base, "GET", "/api/commands/" + commandId, token, null, 200);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while ((result.get("status").asText().equals("running") || result.get("status").asText().equals("queued"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
                result = call(base, "GET", "/api/commands/" + commandId, token, null, 200);
            }
            for (String field : new String[] {"id", "agent_id", "command_type", "command_text", "context", "status", "exit_code",
                    "stdout", "stderr", "created_at", "started_at", "completed_at"}) {
                assertThat(result.has(field)).as(field).isTrue();
            }
            assertThat(result.get("status").asText()).isEqualTo("completed");
            assertThat(result.get("exit_code").asInt()).isEqualTo(2);
            assertThat(result.get("stdout").asText()).isEqualTo("line 1 of GuruRMM\nline 2 of GuruRMM\nline 3 of GuruRMM\n");
            assertThat(result.get("stderr").asText()).isEqualTo("to stderr\n");
            assertThat(result.get("context").asText()).isEqualTo("system");
            assertThat(result.get("agent_id").asText()).isEqualTo(agentId);
            Instant created = OffsetDateTime.parse(result.get("created_at").asText()).toInstant();
            Instant started = OffsetDateTime.parse(result.get("started_at").asText()).toInstant();
            Instant completed = OffsetDateTime.parse(result.get("completed_at").asText()).toInstant();
            assertThat(created).isBeforeOrEqualTo(started);
            assertThat(started).isBeforeOrEqualTo(completed);

            JsonNode audit = call(base, "GET", "/api/audit", token, null, 200);
            assertThat(audit.toString()).contains("command.create").contains("auth.login").contains("agent.enroll");
        }
    }
}

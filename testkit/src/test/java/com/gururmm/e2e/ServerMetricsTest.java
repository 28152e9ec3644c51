package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} on a real server with a real agent: the numbers follow what really
 * happened (an agent online, a command round trip timed, a refused frame counted, an HTTP
 * request by route), and only admins and the scrape token may read them.
 */
class ServerMetricsTest {
    private static final String SCRAPE_TOKEN = "scrape-" + UUID.randomUUID() + "-" + UUID.randomUUID();
    private static Fleet fleet;
    private static AgentProcess agent;
    private static UUID commandId;

    @BeforeAll
    static void start() throws IOException {
        Path tokenFile = Files.createTempFile("gururmm-scrape-", ".token");
        Files.writeString(tokenFile, SCRAPE_TOKEN + "\n");
        fleet = new Fleet(TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_METRICS_TOKEN_FILE", tokenFile.toString())));
        agent = fleet.addAgent();
        GuruClient admin = fleet.admin();
        admin.createUser("metrics-viewer@example.test", "viewer-password-123", "viewer");
        admin.createUser("metrics-tech@example.test", "technician-password-123", "technician");
        commandId = admin.runCommand(agent.agentId(), new CommandRequest("sh", "echo metered", null, 30)).commandId();
        assertThat(admin.awaitCommand(commandId, Duration.ofSeconds(60)).status()).isEqualTo("completed");
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static GuruClient.RawResponse scrape(GuruClient client, Map<String, String> headers) {
        return client.raw("GET", "/metrics", null, headers);
    }

    /** The value of the first sample whose name and labels match {@code series} (a regex over the line before the value). */
    static Optional<Double> sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([-+0-9.eE]+|NaN)$").matcher(text);
        return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    }

    @Test
    void adminScrapeShowsTheAgentTheCommandAndThePool() {
        GuruClient.RawResponse response = scrape(fleet.admin(), Map.of());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String text = response.body();
        assertThat(sample(text, "gururmm_agents_online")).contains(1.0);
        // Exactly the one command this class ran went dispatch -> result.
        assertThat(sample(text, "gururmm_command_latency_seconds_count")).contains(1.0);
        assertThat(sample(text, "gururmm_command_latency_seconds_sum")).hasValueSatisfying(s -> assertThat(s).isPositive().isLessThan(60));
        assertThat(sample(text, "gururmm_commands\\{status=\"completed\"}")).hasValueSatisfying(n -> assertThat(n).isGreaterThanOrEqualTo(1));
        assertThat(sample(text, "gururmm_commands\\{status=\"queued\"}")).contains(0.0);
        assertThat(sample(text, "gururmm_agent_connects_total")).hasValueSatisfying(n -> assertThat(n).isGreaterThanOrEqualTo(1));
        assertThat(sample(text, "gururmm_http_requests_seconds_count\\{method=\"POST\",route=\"/api/agents/\\{id}/command\",status=\"201\"}"))
                .contains(1.0);
        assertThat(text).contains("hikaricp_connections_active{pool=\"gururmm-db\"}");
        assertThat(text).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
        // The hooks the alert and notification features fill are named but absent until they register.
        assertThat(text).doesNotContain("gururmm_alert_evaluations");
    }

    @Test
    void refusedFramesAreCountedByReason() throws Exception {
        String before = scrape(fleet.admin(), Map.of()).body();
        double was = sample(before, "gururmm_agent_frames_refused_total\\{reason=\"malformed_frame\"}").orElse(0.0);
        RawAgent raw = RawAgent.enroll(fleet.server());
        try {
            raw.hello();
            raw.send("{\"type\":\"heartbeat\",");
            assertThat(raw.next()).isInstanceOfSatisfying(ServerMessage.Refused.class, r -> assertThat(r.error()).isEqualTo("malformed_frame"));
            String after = scrape(fleet.admin(), Map.of()).body();
            assertThat(sample(after, "gururmm_agent_frames_refused_total\\{reason=\"malformed_frame\"}")).contains(was + 1);
            assertThat(sample(after, "gururmm_agents_online")).contains(2.0);
        } finally {
            raw.socket.abort();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(sample(scrape(fleet.admin(), Map.of()).body(), "gururmm_agents_online")).contains(1.0));
    }

    @Test
    void onlyAdminsAndTheScrapeTokenMayRead() {
        GuruClient anonymous = fleet.server().anonymousClient();
        assertThat(scrape(anonymous, Map.of()).status()).isEqualTo(401);
        assertThat(scrape(anonymous, Map.of("Authorization", "Bearer " + SCRAPE_TOKEN)).status()).isEqualTo(200);
        GuruClient.RawResponse wrong = scrape(anonymous, Map.of("Authorization", "Bearer " + SCRAPE_TOKEN + "x"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain("gururmm_agents_online");
        assertThat(scrape(anonymous, Map.of("Authorization", "Basic " + SCRAPE_TOKEN)).status()).isEqualTo(401);

        GuruClient viewer = fleet.server().anonymousClient();
        viewer.login("metrics-viewer@example.test", "viewer-password-123");
        assertThat(scrape(viewer, Map.of()).status()).isEqualTo(403);
        GuruClient tech = fleet.server().anonymousClient();
        tech.login("metrics-tech@example.test", "technician-password-123");
        assertThat(scrape(tech, Map.of()).status()).isEqualTo(403);
        // The scrape token opens /metrics only: it is no user credential anywhere else.
        assertThat(anonymous.raw("GET", "/api/agents", null, Map.of("Authorization", "Bearer " + SCRAPE_TOKEN)).status()).isEqualTo(401);
    }

    @Test
    void everyResponseCarriesARequestId() {
        GuruClient.RawResponse a = scrape(fleet.admin(), Map.of());
        GuruClient.RawResponse b = fleet.admin().raw("GET", "/api/agents", null, Map.of());
        String idA = a.headers().firstValue("X-Request-Id").orElseThrow();
        String idB = b.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(idA).isNotEqualTo(idB);
        // A proxy's well-formed id is kept (log lines on both sides correlate); a hostile one is replaced.
        assertThat(fleet.admin().raw("GET", "/api/agents", null, Map.of("X-Request-Id", "proxy-1234abcd")).headers()
                .firstValue("X-Request-Id")).contains("proxy-1234abcd");
        assertThat(fleet.admin().raw("GET", "/api/agents", null, Map.of("X-Request-Id", "evil id; with spaces and quotes\"")).headers()
                .firstValue("X-Request-Id").orElseThrow()).doesNotContain("evil");
    }
}

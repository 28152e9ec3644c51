package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code GURURMM_LOG_FORMAT=json} on the packaged server: every line it writes is one JSON
 * object, and the lines about a command carry its {@code command_id} and {@code agent_id}, the
 * lines of an HTTP request its {@code request_id} (the one returned in {@code X-Request-Id}).
 */
class JsonLogTest {

    @Test
    void everyLineIsJsonAndCarriesTheIdsItIsAbout() throws Exception {
        Path dataDir = Files.createTempDirectory("gururmm-jsonlog-");
        UUID commandId;
        UUID agentId;
        String requestId;
        String log;
        try (ServerProcess server = ServerProcess.create(dataDir, Map.of("GURURMM_LOG_FORMAT", "json")).start();
             AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken())) {
            GuruClient admin = server.adminClient();
            agentId = agent.start().awaitOnline(admin);
            GuruClient.RawResponse submitted = admin.raw("POST", "/api/agents/" + agentId + "/command",
                    "{\"command_type\":\"sh\",\"command\":\"echo json-log\",\"timeout_seconds\":30}", Map.of());
            assertThat(submitted.status()).as(submitted.body()).isEqualTo(201);
            requestId = submitted.headers().firstValue("X-Request-Id").orElseThrow();
            commandId = UUID.fromString(Json.mapper().readTree(submitted.body()).get("command_id").asText());
            assertThat(admin.awaitCommand(commandId, Duration.ofSeconds(60)).status()).isEqualTo("completed");
            server.stop();
            log = server.log();
        }

        List<JsonNode> lines = new ArrayList<>();
        for (String line : log.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node = Json.mapper().readTree(line);
            assertThat(node.isObject()).as(line).isTrue();
            assertThat(node.path("ts").asText()).as(line).isNotEmpty();
            assertThat(node.path("level").asText()).as(line).isNotEmpty();
            assertThat(line).as("no raw control character in a line").doesNotContain("\u001b", "\r", "\u202e");
            lines.add(node);
        }
        assertThat(lines).anySatisfy(n -> assertThat(n.path("message").asText()).contains("GuruRMM server is running"));

        List<JsonNode> aboutCommand = lines.stream().filter(n -> n.path("message").asText().contains(commandId.toString())).toList();
        assertThat(aboutCommand).as("lines about the command").hasSizeGreaterThanOrEqualTo(2);
        assertThat(aboutCommand).allSatisfy(n -> {
            assertThat(n.path("command_id").asText()).as(n.toString()).isEqualTo(commandId.toString());
            assertThat(n.path("agent_id").asText()).as(n.toString()).isEqualTo(agentId.toString());
        });
        // Created while handling the POST: the request's id; finished while handling the agent's frame: no request id.
        assertThat(aboutCommand).anySatisfy(n -> {
            assertThat(n.path("message").asText()).contains("created");
            assertThat(n.path("request_id").asText()).isEqualTo(requestId);
        });
        assertThat(aboutCommand).anySatisfy(n -> {
            assertThat(n.path("message").asText()).contains("finished");
            assertThat(n.has("request_id")).isFalse();
        });
        // The access line of that request.
        assertThat(lines).anySatisfy(n -> {
            assertThat(n.path("logger").asText()).isEqualTo("com.gururmm.server.access");
            assertThat(n.path("message").asText()).contains("POST /api/agents/{id}/command -> 201");
            assertThat(n.path("request_id").asText()).isEqualTo(requestId);
        });
        // Agent connection lines carry the agent id.
        assertThat(lines).anySatisfy(n -> {
            assertThat(n.path("message").asText()).contains("agent " + agentId + " connected");
            assertThat(n.path("agent_id").asText()).isEqualTo(agentId.toString());
        });
    }
}

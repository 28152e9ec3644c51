package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.protocol.api.Batches.BatchResult;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 8, finding 4: the server host's own agent can read the server's data dir and secrets,
 * so it is marked as the server host (by the token the server mints for it, or by the host's
 * machine id) and commands on it are admin-only, one by one, in bulk and for cancels.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerHostTest {
    private static final String COMMAND = "{\"command_type\":\"sh\",\"command\":\"cat /etc/hostname\"}";

    @Parameter
    TestDatabase.Kind kind;

    @Test
    void anAgentWithTheHostsMachineIdIsTheServerHostAndOnlyAdminsRunCommandsOnIt() throws Exception {
        // As the agent reads it; a systemd-installed host agent (GURURMM_LOCAL_AGENT=off) enrolls with this id.
        String hostMachineId = Files.readString(Path.of("/etc/machine-id")).trim();
        // Raw agents send no heartbeats: a long interval keeps the server from dropping them as idle.
        try (TestServer server = TestServer.start(kind, Map.of("GURURMM_HEARTBEAT_SECONDS", "30"))) {
            GuruClient admin = server.adminClient();
            GuruClient technician = technician(server, admin);
            RawAgent host = new RawAgent(server, RawAgent.enrollNew(server, hostMachineId), hostMachineId);
            host.hello();
            RawAgent other = RawAgent.enroll(server);
            other.hello();

            assertThat(admin.agents()).extracting(AgentSummary::id, AgentSummary::serverHost)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(host.agentId, true),
                            org.assertj.core.groups.Tuple.tuple(other.agentId, false));
            assertThat(admin.agent(host.agentId).serverHost()).isTrue();
            assertThat(admin.raw("GET", "/api/agents/" + host.agentId, null, Map.of()).body()).contains("\"server_host\":true");

            GuruClient.RawResponse refused = technician.raw("POST", "/api/agents/" + host.agentId + "/command", COMMAND, Map.of());
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
            assertThat(refused.body()).contains("\"forbidden\"").contains("server host");
            assertThat(admin.agentCommands(host.agentId)).as("a refused command is not created").isEmpty();
            assertThat(technician.raw("POST", "/api/agents/" + other.agentId + "/command", COMMAND, Map.of()).status()).isEqualTo(201);

            UUID byAdmin = admin.runCommand(host.agentId, new CommandRequest("sh", "sleep 30", null, 60)).commandId();
            assertThat(nextRunCommand(host).commandId()).isEqualTo(byAdmin);
            GuruClient.RawResponse cancel = technician.raw("POST", "/api/commands/" + byAdmin + "/cancel", null, Map.of());
            assertThat(cancel.status()).as(cancel.body()).isEqualTo(403);
            assertThat(admin.command(byAdmin).status()).isEqualTo("running");

            // Bulk: a technician's batch runs everywhere else and records why the host was skipped.
            for (BatchRequest request : List.of(
                    new BatchRequest(null, new AgentFilter(null, null, null, null), "sh", "true", null, 30),
                    new BatchRequest(List.of(host.agentId, other.agentId), null, "sh", "true", null, 30))) {
                List<BatchResult> results = admin.batch(technician.runBatch(request).batchId(), true).results();
                assertThat(results).hasSize(2).anySatisfy(r -> {
                    assertThat(r.agentId()).isEqualTo(host.agentId);
                    assertThat(r.commandId()).isNull();
                    assertThat(r.error()).startsWith("server host: admin only");
                }).anySatisfy(r -> {
                    assertThat(r.agentId()).isEqualTo(other.agentId);
                    assertThat(r.commandId()).isNotNull();
                });
            }
            assertThat(admin.agentCommands(host.agentId)).extracting(c -> c.id()).containsExactly(byAdmin);
            List<BatchResult> asAdmin = admin.batch(admin.runBatch(
                    new BatchRequest(null, new AgentFilter(null, null, null, null), "sh", "true", null, 30)).batchId(), true).results();
            assertThat(asAdmin).hasSize(2).allSatisfy(r -> assertThat(r.commandId()).isNotNull());

            admin.cancelCommand(byAdmin);
            assertThat(admin.command(byAdmin).status()).isEqualTo("cancelled");
        }
    }

    @Test
    void theTokenTheServerMintsForItsOwnAgentMarksTheAgentThatEnrollsWithIt() {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient admin = server.adminClient();
            String hostToken = server.server().enrollmentTokens().createServerHostToken(Duration.ofMinutes(5)).token();
            EnrollResponse local = enroll(server, hostToken, UUID.randomUUID().toString());
            EnrollResponse ordinary = enroll(server, server.enrollmentToken(), UUID.randomUUID().toString());
            assertThat(admin.agent(local.agentId()).serverHost()).isTrue();
            assertThat(admin.agent(local.agentId()).site()).isEqualTo("server");
            assertThat(admin.agent(ordinary.agentId()).serverHost()).isFalse();
            GuruClient.RawResponse refused = technician(server, admin)
                    .raw("POST", "/api/agents/" + local.agentId() + "/command", COMMAND, Map.of());
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        }
    }

    private static EnrollResponse enroll(TestServer server, String token, String machine) {
        return server.anonymousClient().enroll(new EnrollRequest(token, "dev-" + machine, machine, "host-" + machine.substring(0, 8),
                "linux", "amd64", "0.1.0", "stable"));
    }

    /** A technician of every client: the server-host rule (403) is on top of scope (outside it, 404). */
    private static GuruClient technician(TestServer server, GuruClient admin) {
        admin.createUser("tech@example.test", "technician-password-123", "technician", new com.gururmm.protocol.api.Auth.ScopeView(
                admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), List.of()));
        GuruClient client = server.anonymousClient();
        client.login("tech@example.test", "technician-password-123");
        return client;
    }

    private static ServerMessage.RunCommand nextRunCommand(RawAgent agent) throws Exception {
        while (true) {
            if (agent.next() instanceof ServerMessage.RunCommand run) {
                return run;
            }
        }
    }
}

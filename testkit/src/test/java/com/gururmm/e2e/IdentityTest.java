package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.AgentDetail;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** SPEC section 5: one row per machine, credentials bound to their agent, loud state problems. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class IdentityTest {
    @Parameter
    TestDatabase.Kind kind;

    private static EnrollRequest enrollment(String token, String machineUid) {
        return new EnrollRequest(token, UUID.randomUUID().toString(), machineUid, "host-" + machineUid.substring(0, 6), "linux", "amd64", "0.1.0", "stable");
    }

    @Test
    void sameMachineEnrollingElevenTimesWithFreshDeviceIdsLeavesOneAgent() {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient admin = server.adminClient();
            GuruClient anonymous = server.anonymousClient();
            String machine = UUID.randomUUID().toString().replace("-", "");
            List<UUID> ids = new ArrayList<>();
            String siteToken = server.enrollmentToken();
            for (int i = 0; i < 11; i++) {
                // the same site token, or a new one as a fresh installer would bring
                String token = i % 2 == 0 ? siteToken : server.enrollmentToken();
                ids.add(anonymous.enroll(enrollment(token, machine)).agentId());
            }
            assertThat(ids).containsOnly(ids.getFirst());
            List<AgentSummary> agents = admin.agents();
            assertThat(agents).hasSize(1);
            AgentDetail detail = admin.agent(ids.getFirst());
            assertThat(detail.enrollCount()).isEqualTo(11);
            assertThat(detail.machineUid()).isEqualTo(machine);
        }
    }

    @Test
    void concurrentFirstEnrollmentsOfOneMachineLeaveOneAgent() throws Exception {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient anonymous = server.anonymousClient();
            String token = server.enrollmentToken();
            String machine = UUID.randomUUID().toString().replace("-", "");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<EnrollResponse>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> anonymous.enroll(enrollment(token, machine))));
            }
            List<UUID> ids = new ArrayList<>();
            for (Future<EnrollResponse> f : results) {
                ids.add(f.get().agentId());
            }
            pool.shutdown();
            assertThat(ids).containsOnly(ids.getFirst());
            assertThat(server.adminClient().agents()).hasSize(1);
        }
    }

    @Test
    void reinstalledAgentProcessesOfOneMachineShareOneRow() throws Exception {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient admin = server.adminClient();
            String machine = UUID.randomUUID().toString().replace("-", "");
            UUID first;
            try (AgentProcess install1 = AgentProcess.create(server.url(), server.enrollmentToken(), machine)) {
                first = install1.start().awaitOnline(admin);
                install1.stop();
                UUID gone = first;
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> admin.agent(gone).status().equals("offline"));
            }
            // A reinstall: wiped state dir, so a fresh device id; same machine.
            try (AgentProcess install2 = AgentProcess.create(server.url(), server.enrollmentToken(), machine)) {
                UUID second = install2.start().awaitOnline(admin);
                assertThat(second).isEqualTo(first);
                assertThat(admin.agents()).hasSize(1);
                assertThat(admin.agent(first).enrollCount()).isEqualTo(2);
                String deviceId = Files.readString(install2.stateDir().resolve(".device-id")).trim();
                assertThat(admin.agent(first).deviceId()).isEqualTo(deviceId);
            }
        }
    }

    @Test
    void agentThatCannotWriteItsStateDirSaysSoInItsHealth() throws Exception {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient admin = server.adminClient();
            Path blocker = Files.createTempFile("gururmm-not-a-dir", "");
            String machine = UUID.randomUUID().toString().replace("-", "");
            // The state dir's parent is a regular file: nothing can be created below it, even as root.
            try (AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken(), machine)
                    .env("GURURMM_STATE_DIR", blocker.resolve("state").toString())) {
                agent.start();
                AgentSummary summary = await().atMost(Duration.ofSeconds(30)).until(
                        () -> admin.agents(Map.of("status", "online")).stream().filter(a -> a.machineUid().equals(machine)).findFirst().orElse(null),
                        a -> a != null);
                AgentDetail detail = admin.agent(summary.id());
                assertThat(detail.health().stateDirWritable()).isFalse();
                assertThat(detail.health().problems()).anySatisfy(p -> assertThat(p).contains("not writable"));
                assertThat(agent.log()).contains("STATE PROBLEM");
            }
        }
    }

    @Test
    void agentCredentialCannotBeUsedForAnotherAgentAndReenrollmentVoidsTheOldOne() throws Exception {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient anonymous = server.anonymousClient();
            EnrollResponse a = anonymous.enroll(enrollment(server.enrollmentToken(), UUID.randomUUID().toString()));
            EnrollResponse b = anonymous.enroll(enrollment(server.enrollmentToken(), UUID.randomUUID().toString()));
            URI ws = URI.create("ws://127.0.0.1:" + server.port() + "/api/agent/ws");

            assertThat(handshakeStatus(ws, b.agentId(), a.agentToken())).isEqualTo(401);
            assertThat(handshakeStatus(ws, a.agentId(), "grmm_agent_forged")).isEqualTo(401);
            assertThat(handshakeStatus(ws, a.agentId(), a.agentToken())).isEqualTo(101);
        }
    }

    @Test
    void reenrollmentVoidsThePreviousCredential() throws Exception {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient anonymous = server.anonymousClient();
            String machine = UUID.randomUUID().toString();
            EnrollResponse before = anonymous.enroll(enrollment(server.enrollmentToken(), machine));
            EnrollResponse after = anonymous.enroll(enrollment(server.enrollmentToken(), machine));
            URI ws = URI.create("ws://127.0.0.1:" + server.port() + "/api/agent/ws");
            assertThat(after.agentId()).isEqualTo(before.agentId());
            assertThat(handshakeStatus(ws, before.agentId(), before.agentToken())).isEqualTo(401);
            assertThat(handshakeStatus(ws, after.agentId(), after.agentToken())).isEqualTo(101);
        }
    }

    @Test
    void aConnectedMachineCannotBeTakenOverByAnotherEnrollment() {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient admin = server.adminClient();
            String machine = UUID.randomUUID().toString().replace("-", "");
            try (AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken(), machine)) {
                UUID id = agent.start().awaitOnline(admin);
                var token = admin.createEnrollmentToken(new com.gururmm.protocol.api.EnrollmentTokens.CreateRequest(null, 1, 5));
                assertThatThrownBy(() -> server.anonymousClient().enroll(enrollment(token.token(), machine)))
                        .isInstanceOfSatisfying(GuruApiException.class, e -> {
                            assertThat(e.status()).isEqualTo(409);
                            assertThat(e.getMessage()).contains("already connected");
                        });
                assertThat(admin.agent(id).status()).as("the real agent keeps its connection").isEqualTo("online");
                assertThat(admin.agent(id).enrollCount()).isEqualTo(1);
                assertThat(admin.enrollmentTokens().stream().filter(t -> t.id().equals(token.id())).findFirst().orElseThrow().uses())
                        .as("a refused takeover spends no use of the token").isZero();
                assertThat(admin.audit()).anySatisfy(e -> assertThat(e.action()).isEqualTo("agent.enroll_refused"));
            }
        }
    }

    @Test
    void enrollmentWithAnUnknownTokenIsRefusedAndFilesNothing() {
        try (TestServer server = TestServer.start(kind)) {
            assertThatThrownBy(() -> server.anonymousClient().enroll(enrollment("grmm_enroll_nope", UUID.randomUUID().toString())))
                    .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(401));
            assertThat(server.adminClient().agents()).isEmpty();
        }
    }

    /** 101 when the upgrade succeeds, else the HTTP status the server refused it with. */
    static int handshakeStatus(URI ws, UUID agentId, String token) {
        try {
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .header("X-GuruRMM-Agent-Id", agentId.toString())
                    .buildAsync(ws, new WebSocket.Listener() {
                    }).join();
            socket.abort();
            return 101;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }
}

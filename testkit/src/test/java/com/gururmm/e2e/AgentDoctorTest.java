package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code gururmm-agent doctor} against a real server and a real enrolled agent: a healthy agent
 * passes every check; a refused credential, a server that does not answer, a certificate that does
 * not match the pin and a missing token each fail with the fix named, and exit 1.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AgentDoctorTest {
    @Test
    void aHealthyAgentPassesAndAWithdrawnCredentialOrUnreachableServerFailsWithTheFix() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2);
             AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken())) {
            GuruClient admin = server.adminClient();
            UUID agentId = agent.start().awaitOnline(admin);

            AgentProcess.Run healthy = agent.runSubcommand(Map.of(), "doctor");
            assertThat(healthy.exitCode()).as(healthy.output()).isZero();
            assertThat(healthy.output())
                    .containsPattern("ok +credentials +enrolled as agent " + agentId)
                    .containsPattern("ok +credentials +the server accepts this agent's credential")
                    .containsPattern("ok +running +an agent is running on this state dir")
                    .containsPattern("ok +server +" + server.url())
                    .containsPattern("ok +clock +this machine's clock is")
                    .containsPattern("ok +state dir +.*writable, private")
                    .contains("no problem found");

            // Nothing answers at the configured address.
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            AgentProcess.Run unreachable = agent.runSubcommand(Map.of("GURURMM_SERVER_URL", "http://127.0.0.1:" + closed), "doctor");
            assertThat(unreachable.exitCode()).as(unreachable.output()).isEqualTo(1);
            assertThat(unreachable.output()).containsPattern("FAIL +server +nothing answers at http://127.0.0.1:" + closed)
                    .contains("fix: check GURURMM_SERVER_URL");

            // Plain http to another host is refused before anything is sent.
            AgentProcess.Run insecure = agent.runSubcommand(Map.of("GURURMM_SERVER_URL", "http://rmm.example.invalid:3001"), "doctor");
            assertThat(insecure.exitCode()).isEqualTo(1);
            assertThat(insecure.output()).containsPattern("FAIL +config +.*plain http://").contains("fix: set it in");

            // The agent is retired while it is stopped (a running one would enroll again with its
            // token): its credential is refused, and doctor says to re-enroll.
            agent.stop();
            admin.retireAgent(agentId);
            AgentProcess.Run retired = agent.runSubcommand(Map.of(), "doctor");
            assertThat(retired.exitCode()).as(retired.output()).isEqualTo(1);
            assertThat(retired.output()).containsPattern("FAIL +credentials +the server refuses this agent's credential")
                    .contains("fix: re-enroll").containsPattern("WARN +running +no agent is running");
        }
    }

    @Test
    void aCertificateThatDoesNotMatchThePinAndAMissingTokenFail() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_TLS_SELF_SIGNED", "true"));
             AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken())
                     .env("GURURMM_SERVER_FINGERPRINT", server.fingerprint())) {
            agent.start().awaitOnline(server.adminClient());

            AgentProcess.Run pinned = agent.runSubcommand(Map.of(), "doctor");
            assertThat(pinned.exitCode()).as(pinned.output()).isZero();
            assertThat(pinned.output()).containsPattern("ok +tls +the server's certificate is pinned");

            String other = "AA:" + server.fingerprint().substring(3);
            if (other.equals(server.fingerprint())) {
                other = "BB:" + server.fingerprint().substring(3);
            }
            AgentProcess.Run mismatch = agent.runSubcommand(Map.of("GURURMM_SERVER_FINGERPRINT", other), "doctor");
            assertThat(mismatch.exitCode()).as(mismatch.output()).isEqualTo(1);
            assertThat(mismatch.output()).containsPattern("FAIL +tls +TLS with " + server.url() + " failed")
                    .contains("no longer matches the pinned SHA-256");
        }
        // A machine that was never enrolled and has no token: doctor names how to get one.
        try (AgentProcess fresh = AgentProcess.create(java.net.URI.create("http://127.0.0.1:9"), "unused")
                .withoutEnv("GURURMM_ENROLLMENT_TOKEN")) {
            java.nio.file.Files.createDirectories(fresh.stateDir());
            AgentProcess.Run run = fresh.runSubcommand(Map.of(), "doctor");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.output()).containsPattern("FAIL +credentials +not enrolled and no enrollment token is configured")
                    .contains("gururmm enroll-token create");
        }
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 7: an agent inside a systemd-style sandbox (private mount namespace, "/"
 * read-only, state dir writable) keeps working, and its results say that a read-only "/" is
 * the sandbox's view, not the host's.
 */
class SandboxTest {
    @Test
    void resultsFromASandboxedAgentSayTheReadOnlyViewIsTheSandbox() {
        boolean possible = AgentProcess.canSandbox();
        if (!possible && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI must be able to create a mount namespace (root + unshare)");
        }
        Assumptions.assumeTrue(possible, "needs root and unshare to build a mount namespace");
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2);
             AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken()).sandboxed()) {
            GuruClient client = server.adminClient();
            UUID agentId = agent.start().awaitOnline(client);

            UUID id = client.runCommand(agentId, new CommandRequest("sh", "touch /gururmm-sandbox-probe", null, 30)).commandId();
            CommandView view = client.awaitCommand(id, Duration.ofSeconds(30));
            assertThat(view.status()).isEqualTo("completed");
            assertThat(view.exitCode()).isNotZero();
            assertThat(view.stderr()).contains("Read-only file system");
            assertThat(view.agentSandbox()).contains("/, /etc").contains("read-only").contains("not from the host's disks");
            assertThat(client.agent(agentId).health().sandbox()).isEqualTo(view.agentSandbox());
            assertThat(client.agent(agentId).health().stateDirWritable()).isTrue();
            assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/gururmm-sandbox-probe"))).isFalse();
        }
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * read-only, state dir writable) keeps working; the commands it runs see the host by default
 * (they write where the sandbox is read-only, and the host sees the file), a command can opt in
 * to the sandbox, and every result says which view it had.
 */
@org.junit.jupiter.api.Timeout(value = 180, unit = java.util.concurrent.TimeUnit.SECONDS)
class SandboxTest {
    @Test
    void commandsSeeTheHostByDefaultAndTheSandboxWhenTheyAskForIt() throws Exception {
        boolean possible = AgentProcess.canSandbox();
        if (!possible && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI must be able to create a mount namespace (root + unshare)");
        }
        Assumptions.assumeTrue(possible, "needs root and unshare to build a mount namespace");
        // A directory the sandbox makes read-only (everything but the agent's state dir is) and
        // that this test, in the host's view, can read and clean up.
        java.nio.file.Path hostDir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("/var/tmp"), "gururmm-hostview-");
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2);
             AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken()).sandboxed()) {
            GuruClient client = server.adminClient();
            UUID agentId = agent.start().awaitOnline(client);

            // Default: the host's view. The write lands on the host, findmnt shows a writable /.
            java.nio.file.Path hostFile = hostDir.resolve("written-by-command");
            CommandView host = run(client, agentId, "echo from-the-agent > " + hostFile + " && findmnt -n -o OPTIONS / | cut -d, -f1", null);
            assertThat(host.status()).isEqualTo("completed");
            assertThat(host.exitCode()).as("stderr: %s", host.stderr()).isZero();
            assertThat(host.view()).isEqualTo("host");
            assertThat(host.agentSandbox()).isNull();
            assertThat(host.stdout().trim()).isEqualTo("rw");
            assertThat(java.nio.file.Files.readString(hostFile)).isEqualTo("from-the-agent\n");

            // The script and its working directory are where the host sees them too (the state dir).
            CommandView pwd = run(client, agentId, "pwd && test -r \"$0\" && echo script-readable", null);
            assertThat(pwd.stdout()).contains("script-readable").contains(agent.stateDir().toString());

            // Opt-in: inside the sandbox, the same write is refused and the result says why.
            java.nio.file.Path sandboxFile = hostDir.resolve("written-in-sandbox");
            CommandView sandbox = run(client, agentId, "echo nope > " + sandboxFile, "sandbox");
            assertThat(sandbox.status()).isEqualTo("completed");
            assertThat(sandbox.exitCode()).isNotZero();
            assertThat(sandbox.stderr()).contains("Read-only file system");
            assertThat(sandbox.view()).isEqualTo("sandbox");
            assertThat(sandbox.agentSandbox()).contains("/, /etc").contains("read-only").contains("not from the host's disks");
            assertThat(java.nio.file.Files.exists(sandboxFile)).isFalse();

            // The agent's health explains its sandbox and that commands leave it.
            assertThat(client.agent(agentId).health().sandbox()).contains("read-only").contains("host's view");
            assertThat(client.agent(agentId).health().stateDirWritable()).isTrue();

            // A bad view is refused before anything is stored.
            assertThatThrownBy(() -> client.runCommand(agentId, new CommandRequest("sh", "true", null, 30, "chroot")))
                    .hasMessageContaining("Unknown view 'chroot'");
        } finally {
            try (var files = java.nio.file.Files.list(hostDir)) {
                for (java.nio.file.Path p : files.toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
            java.nio.file.Files.deleteIfExists(hostDir);
        }
    }

    private static CommandView run(GuruClient client, UUID agentId, String script, String view) {
        UUID id = client.runCommand(agentId, new CommandRequest("sh", script, null, 30, view)).commandId();
        return client.awaitCommand(id, Duration.ofSeconds(30));
    }
}

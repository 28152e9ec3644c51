package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.Inventory;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.protocol.wire.Wire;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm agents inventory} and {@code gururmm inventory search} against a real server with two reported inventories. */
class CliInventoryTest {
    private static TestServer server;
    private static Cli cli;
    private static UUID oldOpenssl;
    private static UUID newOpenssl;
    private static final List<WebSocket> sockets = new java.util.ArrayList<>();

    @BeforeAll
    static void start(@TempDir Path dir) {
        server = TestServer.start(TestDatabase.Kind.H2);
        oldOpenssl = report("cli-old", "3.0.11-1~deb12u2", 4_000_000_000L);
        newOpenssl = report("cli-new", "3.0.13-1~deb12u1", 50_000_000_000L);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> hasInventory(oldOpenssl) && hasInventory(newOpenssl));
        cli = new Cli(dir.resolve("config"));
        Cli.Result login = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n", "login", "--server", server.url().toString(),
                "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
    }

    @AfterAll
    static void stop() {
        sockets.forEach(WebSocket::abort);
        server.close();
    }

    private static boolean hasInventory(UUID id) {
        return server.adminClient().raw("GET", "/api/agents/" + id + "/inventory", null, java.util.Map.of()).status() == 200;
    }

    /** A hand-driven agent connection: hello, then one system inventory. */
    private static UUID report(String hostname, String opensslVersion, long freeBytes) {
        String machine = UUID.randomUUID().toString();
        EnrollResponse enrolled = server.anonymousClient().enroll(new EnrollRequest(server.enrollmentToken(), "dev-" + machine, machine,
                hostname, "linux", "amd64", "0.1.0", "stable"));
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + enrolled.agentToken())
                .header("X-GuruRMM-Agent-Id", enrolled.agentId().toString())
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/api/agent/ws"), new WebSocket.Listener() {
                }).join();
        sockets.add(socket);
        socket.sendText(Wire.encode(new AgentMessage.Hello(Wire.PROTOCOL_VERSION, new Inventory(hostname, "linux", "test", "amd64", "0.1.0",
                "stable", machine, "dev", List.of(), List.of(), Inventory.Health.ok()))), true).join();
        socket.sendText(Wire.encode(new AgentMessage.SystemInventoryReport(null, new SystemInventory(1, Instant.now(),
                new SystemInventory.Hardware("ACME", "Box 1", "SN-" + hostname, "Test CPU", 4, 8, 8L << 30, "ACME", "1.0", "2024-01-01"),
                List.of(), List.of(), List.of(new SystemInventory.Filesystem("/", "ext4", "/dev/sda1", 100_000_000_000L, freeBytes)),
                List.of(new SystemInventory.Software("openssl", opensslVersion, "amd64", "dpkg"), new SystemInventory.Software("bash", "5.2", "amd64", "dpkg")),
                List.of(new SystemInventory.Service("ssh.service", "OpenBSD Secure Shell server", "running", "enabled")),
                new SystemInventory.Updates("apt", 2, 1, List.of("openssl", "curl"), true, "/var/run/reboot-required"), List.of()))), true).join();
        return enrolled.agentId();
    }

    @Test
    void agentsInventoryShowsTheSummaryAndTheSoftwareList() throws Exception {
        Cli.Result summary = cli.run("agents", "inventory", "cli-old");
        assertThat(summary.exitCode()).as(summary.toString()).isZero();
        assertThat(summary.out()).contains("ACME", "Box 1", "Test CPU (4 cores, 8 threads)", "8.0 GiB", "4.0 % free", "2 packages", "reboot_required");

        Cli.Result software = cli.run("agents", "inventory", "cli-old", "--software", "--filter", "SSL");
        assertThat(software.exitCode()).as(software.toString()).isZero();
        assertThat(software.out()).contains("openssl", "3.0.11-1~deb12u2").doesNotContain("bash");

        Cli.Result json = cli.run("agents", "inventory", oldOpenssl.toString(), "--software", "--output", "json");
        JsonNode items = Json.mapper().readTree(json.out());
        assertThat(items).hasSize(2);
        assertThat(items.get(0).get("name").asText()).isEqualTo("bash");
    }

    @Test
    void searchFindsTheAgentBelowTheVersionAndRefusesABelowWithoutSoftware() throws Exception {
        Cli.Result below = cli.run("inventory", "search", "--software", "openssl", "--below", "3.0.13", "--output", "json");
        assertThat(below.exitCode()).as(below.toString()).isZero();
        JsonNode results = Json.mapper().readTree(below.out()).get("results");
        assertThat(results).hasSize(1);
        assertThat(results.get(0).get("agent_id").asText()).isEqualTo(oldOpenssl.toString());

        Cli.Result table = cli.run("inventory", "search", "--free-below", "10");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).contains("cli-old", "/ 4.0 % free").doesNotContain("cli-new");

        Cli.Result usage = cli.run("inventory", "search", "--below", "1.0");
        assertThat(usage.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(usage.err()).contains("--below needs --software");

        Cli.Result bad = cli.run("inventory", "search", "--free-below", "ten");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.API_ERROR);
        assertThat(bad.err()).contains("filesystem_free_below_percent");
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.Background;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, finding 4, with the real packaging: the server jar started the way an operator starts
 * it, with its database and admin passwords (and an unrelated secret) in its environment, brings
 * up its own agent. That agent is marked as the server host (technicians get 403), and neither
 * the agent's processes nor a command it runs as admin see any of the server's secrets.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServerHostSecretsTest {
    private static final Path SERVER_JAR = Path.of("..", "server", "target", "gururmm-server.jar").toAbsolutePath().normalize();
    private static final Pattern URL = Pattern.compile("URL:\\s+(http://\\S+?)/?\\s*$");
    private static final String ADMIN_PASSWORD = "admin-secret-7f3a9c1e";
    private static final Map<String, String> SECRETS = Map.of(
            "GURURMM_ADMIN_PASSWORD", ADMIN_PASSWORD,
            "DATABASE_PASSWORD", "db-secret-51d2b8e4",
            "PGPASSWORD", "pg-secret-a8e1c0d7",
            "AWS_SECRET_ACCESS_KEY", "aws-secret-3b9f6e2d");

    @Test
    void theHostsAgentIsAdminOnlyAndNoneOfTheServersSecretsReachItOrItsCommands() throws Exception {
        if (!Files.isRegularFile(SERVER_JAR) && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI runs ./mvnw verify, which packages " + SERVER_JAR + " before this test");
        }
        Assumptions.assumeTrue(Files.isRegularFile(SERVER_JAR), "needs the packaged jars (./mvnw verify packages them first)");
        Path dataDir = Files.createTempDirectory("gururmm-host-secrets-");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", SERVER_JAR.toString())).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GURURMM_") || k.startsWith("DATABASE_"));
        builder.environment().put("GURURMM_DATA_DIR", dataDir.toString());
        builder.environment().put("GURURMM_HTTP_PORT", "0");
        builder.environment().put("GURURMM_HTTP_HOST", "127.0.0.1");
        builder.environment().put("DATABASE_USER", "sa");
        builder.environment().putAll(SECRETS);
        Process server = builder.start();
        try {
            String url = Background.supply("host-secrets-banner", () -> readUrl(server)).get(60, TimeUnit.SECONDS);
            GuruClient admin = new GuruClient(URI.create(url));
            admin.login("admin@gururmm.local", ADMIN_PASSWORD);

            AgentSummary local = await("local agent online").atMost(Duration.ofSeconds(90))
                    .until(() -> admin.agents().stream().filter(a -> a.status().equals("online")).findFirst().orElse(null), a -> a != null);
            assertThat(local.serverHost()).as("the server's own agent is marked as the server host").isTrue();

            // Every client: the server-host rule (403) is on top of scope (outside it, 404).
            admin.createUser("tech@example.test", "technician-password-123", "technician", new com.gururmm.protocol.api.Auth.ScopeView(admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), List.of()));
            GuruClient technician = new GuruClient(URI.create(url));
            technician.login("tech@example.test", "technician-password-123");
            GuruClient.RawResponse refused = technician.raw("POST", "/api/agents/" + local.id() + "/command",
                    "{\"command_type\":\"sh\",\"command\":\"env\"}", Map.of());
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);

            CommandView env = admin.awaitCommand(admin.runCommand(local.id(), new CommandRequest("sh", "env", null, 30)).commandId(),
                    Duration.ofSeconds(60));
            assertThat(env.status()).as(env.error()).isEqualTo("completed");
            assertThat(env.stdout()).contains("PATH=");
            SECRETS.forEach((name, value) -> assertThat(env.stdout()).as(name + " in a command's environment").doesNotContain(value));

            // The agent processes themselves (the launcher and the version it runs) never had them either.
            long agentPid = Long.parseLong(Files.readString(dataDir.resolve("local-agent").resolve("agent.lock")).trim());
            ProcessHandle agent = ProcessHandle.of(agentPid).orElseThrow();
            for (ProcessHandle process : List.of(agent, agent.parent().orElseThrow())) {
                String environ = Files.readString(Path.of("/proc", Long.toString(process.pid()), "environ"), StandardCharsets.ISO_8859_1);
                assertThat(environ).as("environment of agent process " + process.pid()).contains("GURURMM_SERVER_URL=");
                SECRETS.forEach((name, value) -> assertThat(environ).as(name + " in pid " + process.pid()).doesNotContain(value));
            }
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static String readUrl(Process server) {
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                Matcher u = URL.matcher(line);
                if (u.find()) {
                    Thread.ofVirtual().start(() -> drain(reader));
                    return u.group(1);
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("server exited before printing its URL");
    }

    private static void drain(BufferedReader reader) {
        try {
            while (reader.readLine() != null) {
                // keep the pipe flowing
            }
        } catch (java.io.IOException ignored) {
            // server stopped
        }
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Platform;
import com.gururmm.protocol.api.Agents.AgentDetail;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's first command in miniature: the packaged server jar on its embedded defaults
 * starts, prints its URL and first-login credentials, and brings up the host's own agent,
 * which runs a command as the server's user and takes a signed update like any installed agent.
 */
class QuickStartTest {
    private static final Path SERVER_JAR = Path.of("..", "server", "target", "gururmm-server.jar").toAbsolutePath().normalize();
    private static final Pattern URL = Pattern.compile("URL:\\s+(http://\\S+?)/?\\s*$");
    private static final Pattern PASSWORD = Pattern.compile("Password:\\s+(\\S+)");

    @Test
    void serverJarStartsWithItsOwnAgentAndPrintsCredentials() throws Exception {
        if (!Files.isRegularFile(SERVER_JAR) && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI runs ./mvnw verify, which packages " + SERVER_JAR + " before this test");
        }
        Assumptions.assumeTrue(Files.isRegularFile(SERVER_JAR), "needs the packaged jars (./mvnw verify packages them first)");
        Path dataDir = Files.createTempDirectory("gururmm-quickstart-");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", SERVER_JAR.toString())).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GURURMM_") || k.equals("DATABASE_URL"));
        builder.environment().put("GURURMM_DATA_DIR", dataDir.toString());
        builder.environment().put("GURURMM_HTTP_PORT", "0");
        builder.environment().put("GURURMM_HTTP_HOST", "127.0.0.1");
        Process server = builder.start();
        long localAgentPid = -1;
        long launcherPid = -1;
        try {
            StringBuffer printed = new StringBuffer();
            CompletableFuture<String[]> banner = Background.supply("quickstart-banner", () -> readBanner(server, printed));
            String[] urlAndPassword;
            try {
                urlAndPassword = banner.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("no banner within 60 s; the server printed:\n" + printed, e);
            }
            GuruClient client = new GuruClient(URI.create(urlAndPassword[0]));
            client.login("admin@gururmm.local", urlAndPassword[1]);
            assertThat(Files.readString(dataDir.resolve("initial-admin-password")).trim()).isEqualTo(urlAndPassword[1]);
            assertDashboardServedFromTheJar(URI.create(urlAndPassword[0]));

            AgentSummary local = await("local agent online").atMost(Duration.ofSeconds(60))
                    .until(() -> client.agents().stream().filter(a -> a.status().equals("online")).findFirst().orElse(null), a -> a != null);
            assertThat(local.site()).isEqualTo("server");
            var submitted = client.runCommand(local.id(), new CommandRequest("sh", "id -un", null, 30));
            CommandView view = client.awaitCommand(submitted.commandId(), Duration.ofSeconds(30));
            assertThat(view.status()).isEqualTo("completed");
            assertThat(view.stdout()).isEqualTo(System.getProperty("user.name") + "\n");
            Path state = dataDir.resolve("local-agent");
            assertThat(state.resolve("versions/current")).as("started in launcher mode").exists();
            launcherPid = launcherOf(state, server);

            // The host's agent is updatable: a newer signed build published on this server reaches it.
            String file = "gururmm-agent-" + Platform.currentOs() + "-" + Platform.currentArch() + "-99.0.0.jar";
            client.publishRelease(file, Files.readAllBytes(ReleaseBuilds.withVersion("99.0.0", dataDir.resolve("next.jar"))), "stable");
            await("local agent updated to 99.0.0 (log: " + dataDir.resolve("local-agent.log") + ")").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        AgentDetail d = client.agent(local.id());
                        return d.status().equals("online") && d.version().equals("99.0.0")
                                && d.update() != null && d.update().state().equals("succeeded");
                    });
            assertThat(Files.readString(state.resolve("versions/current")).trim()).isEqualTo("99.0.0");
            assertThat(launcherOf(state, server)).as("the same launcher runs the new version").isEqualTo(launcherPid);
            localAgentPid = Long.parseLong(Files.readString(state.resolve("agent.lock")).trim());
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        // The shutdown hook stopped the local agent too: both the launcher and the agent it runs.
        for (long pid : new long[] {localAgentPid, launcherPid}) {
            assertThat(pid).isPositive();
            await("pid " + pid + " stopped").atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        }
    }

    /** The launcher is the agent's parent (the agent writes its pid into agent.lock) and the server's child. */
    private static long launcherOf(Path state, Process server) throws Exception {
        long agentPid = await("agent.lock names a live agent").atMost(Duration.ofSeconds(30)).until(() -> {
            String text = Files.exists(state.resolve("agent.lock")) ? Files.readString(state.resolve("agent.lock")).trim() : "";
            return text.isEmpty() ? -1L : Long.parseLong(text);
        }, pid -> pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        ProcessHandle launcher = ProcessHandle.of(agentPid).flatMap(ProcessHandle::parent).orElseThrow();
        assertThat(launcher.parent().map(ProcessHandle::pid)).as("launcher is the server's child").contains(server.pid());
        assertThat(launcher.info().arguments().map(java.util.Arrays::asList).orElse(List.of("launcher"))).contains("launcher");
        return launcher.pid();
    }

    private static String[] readBanner(Process server, StringBuffer printed) {
        String url = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                printed.append(line).append('\n');
                Matcher u = URL.matcher(line);
                if (u.find()) {
                    url = u.group(1);
                }
                Matcher p = PASSWORD.matcher(line);
                if (url != null && p.find()) {
                    String[] found = {url, p.group(1)};
                    Thread.ofVirtual().start(() -> drain(reader));
                    return found;
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("server exited before printing its banner");
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

    /** The shaded jar must carry the dashboard and the lit webjar, or the printed URL opens a blank page. */
    private static void assertDashboardServedFromTheJar(URI base) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var page = http.send(java.net.http.HttpRequest.newBuilder(base.resolve("/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        var lit = java.util.regex.Pattern.compile("\"lit\":\"(/webjars/lit/[^\"]+)\"").matcher(page.body());
        assertThat(lit.find()).as("import map names lit's module: " + page.body()).isTrue();
        for (String path : List.of(lit.group(1), "/dashboard/app.js")) {
            var module = http.send(java.net.http.HttpRequest.newBuilder(base.resolve(path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(module.statusCode()).as(path).isEqualTo(200);
            assertThat(module.headers().firstValue("Content-Type").orElse("")).as(path).contains("javascript");
        }
    }
}

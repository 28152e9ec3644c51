package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped artifact: {@code java -jar cli/target/gururmm.jar} as its own process, with
 * the config dir from the environment, the password on real stdin and real exit codes.
 */
class GururmmJarIT {
    private static TestServer server;

    @TempDir
    Path configDir;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(TestDatabase.Kind.H2);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    record Run(int exitCode, String out, String err) {
    }

    private Run gururmm(String stdin, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", System.getProperty("gururmm.jar")));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("GURURMM_CONFIG_DIR", configDir.toString());
        Process process = builder.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("gururmm finished").isTrue();
        return new Run(process.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theJarLogsInListsAndExitsWithTheDocumentedCodes() throws Exception {
        assertThat(gururmm("", "--version").out()).startsWith("gururmm ");

        Run login = gururmm(TestServer.ADMIN_PASSWORD + "\n", "login", "--server", server.url().toString(),
                "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
        assertThat(Files.exists(configDir.resolve("credentials.json"))).isTrue();

        Run list = gururmm("", "agents", "list", "--output", "json");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        JsonNode agents = Json.mapper().readTree(list.out());
        assertThat(agents.isArray()).isTrue();
        assertThat(agents).isEmpty();

        Run unknown = gururmm("", "run", "--agent", "nowhere", "--type", "sh", "--command", "true", "--wait");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).isEqualTo("gururmm: No agent matches 'nowhere' by id, id prefix or hostname; 'gururmm agents list' shows them.\n");
        assertThat(unknown.out()).isEmpty();
    }
}

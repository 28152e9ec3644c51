package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm notifications ...} against a real server and a webhook receiver on loopback. */
class CliNotificationsTest {
    private static TestServer server;
    private static HttpServer receiver;
    private static final List<String> bodies = new CopyOnWriteArrayList<>();
    private static Cli admin;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(TestDatabase.Kind.H2);
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        admin = new Cli(dir.resolve("admin"));
        Cli.Result login = admin.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", server.url().toString(), "--email",
                TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
    }

    @AfterAll
    static void stop() {
        receiver.stop(0);
        server.close();
    }

    private static Cli.Result ok(Cli.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    @Test
    void addTestAndRouteAChannelFromTheCli() throws Exception {
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        JsonNode added = Json.mapper().readTree(ok(admin.run("notifications", "channels", "add", "--name", "cli-hook", "--webhook", url,
                "--preset", "slack", "--output", "json")).out());
        String id = added.get("id").asText();
        assertThat(added.get("secret").asText()).startsWith("grmm_whsec_");

        String listed = ok(admin.run("notifications", "channels", "list")).out();
        assertThat(listed).contains("cli-hook").contains("webhook/slack").doesNotContain("/hook");

        Cli.Result test = ok(admin.run("notifications", "channels", "test", id));
        assertThat(test.out()).contains("true").contains("204");
        assertThat(bodies).anySatisfy(b -> assertThat(b).contains("\"text\"").contains("test notification"));

        ok(admin.run("notifications", "rules", "add", "--name", "hq-crit", "--min-severity", "critical", "--site", "hq", "--on",
                "open,acknowledged", "--channel", id));
        JsonNode rules = Json.mapper().readTree(ok(admin.run("notifications", "rules", "list", "--output", "json")).out());
        assertThat(rules).hasSize(1);
        assertThat(rules.get(0).get("transitions").toString()).isEqualTo("[\"open\",\"acknowledged\"]");

        JsonNode deliveries = Json.mapper().readTree(ok(admin.run("notifications", "deliveries", "--channel", id, "--output", "json")).out());
        assertThat(deliveries).hasSize(1);
        assertThat(deliveries.get(0).get("kind").asText()).isEqualTo("test");
        assertThat(deliveries.get(0).get("status").asText()).isEqualTo("delivered");
    }

    @Test
    void anEmailChannelTakesItsPasswordFromStdinAndBadInputIsOneLine() throws Exception {
        Cli.Result added = ok(admin.runWithStdin("s3cret-pass\n", "notifications", "channels", "add", "--name", "mail", "--smtp-host",
                "127.0.0.1", "--smtp-port", "2525", "--smtp-user", "alerts", "--smtp-password-stdin", "--from", "g@example.test",
                "--to", "a@example.test,b@example.test", "--output", "json"));
        JsonNode channel = Json.mapper().readTree(added.out());
        assertThat(channel.get("smtp_password_set").asBoolean()).isTrue();
        assertThat(added.out()).doesNotContain("s3cret-pass");
        assertThat(channel.get("email_to")).hasSize(2);

        Cli.Result bad = admin.run("notifications", "channels", "add", "--name", "x", "--webhook", "ftp://example.test/x");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.API_ERROR);
        assertThat(bad.err()).startsWith("gururmm: ").contains("url").doesNotContain("Exception");
        assertThat(bad.err().strip().lines()).hasSize(1);

        Cli.Result neither = admin.run("notifications", "channels", "add", "--name", "x");
        assertThat(neither.exitCode()).isEqualTo(ExitCode.USAGE);
    }
}

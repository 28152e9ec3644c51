package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.cli.config.CredentialStore;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CLI against a real server and two real agent processes, {@code web01} (site
 * {@code hq}) and {@code db01}, logged in once with {@code --password-stdin}.
 */
class CliEndToEndTest {
    private static Fleet fleet;
    private static UUID web;
    private static UUID db;
    private static Cli cli;
    private static Path configDir;
    private static String server;

    @BeforeAll
    static void startFleetAndLogIn(@TempDir Path dir) throws Exception {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        GuruClient admin = fleet.admin();
        server = fleet.server().url().toString();
        String hqToken = admin.createEnrollmentToken(new CreateRequest("hq", 1, null)).token();
        web = fleet.track(AgentProcess.create(fleet.server().url(), hqToken).env("GURURMM_HOSTNAME", "web01")).start().awaitOnline(admin);
        db = fleet.track(AgentProcess.create(fleet.server().url(), fleet.server().enrollmentToken()).env("GURURMM_HOSTNAME", "db01"))
                .start().awaitOnline(admin);
        configDir = dir.resolve("config");
        cli = new Cli(configDir);

        Cli.Result login = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n",
                "login", "--server", server, "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
        assertThat(login.out()).startsWith("Logged in to " + server + " as " + TestServer.ADMIN_EMAIL + " (admin)");
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private static Cli.Result ok(Cli.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    @Test
    void loginIsCachedOwnerOnlyAndWhoamiUsesIt() throws Exception {
        Path file = new CredentialStore(configDir).file();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).doesNotContain(TestServer.ADMIN_PASSWORD);

        JsonNode me = ok(cli.run("whoami", "--output", "json")).json();
        assertThat(me.get("email").asText()).isEqualTo(TestServer.ADMIN_EMAIL);
        assertThat(me.get("role").asText()).isEqualTo("admin");
        assertThat(me.get("server").asText()).isEqualTo(server);
        assertThat(me.get("expires_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }

    @Test
    void agentsListAsTableAndAsJsonWithTheApiFieldNames() throws Exception {
        String table = ok(cli.run("agents", "list")).out();
        assertThat(table.lines().findFirst().orElseThrow()).startsWith("ID").contains("HOSTNAME", "STATUS", "LAST SEEN");
        assertThat(table).contains(web.toString(), "web01", db.toString(), "db01", "online");

        Cli.Result json = ok(cli.run("agents", "list", "--output", "json"));
        List<AgentSummary> agents = Json.mapper().readValue(json.out(), new TypeReference<>() {
        });
        assertThat(agents).extracting(AgentSummary::hostname).containsExactly("db01", "web01");
        assertThat(json.json().get(0).fieldNames()).toIterable().contains("id", "hostname", "status", "last_seen", "machine_uid", "site");
        assertThat(ok(cli.run("agents", "-o", "json")).json()).hasSize(2);
    }

    @Test
    void agentsFiltersGoToTheServer() {
        assertThat(hostnames(ok(cli.run("agents", "list", "--hostname", "WEB*", "-o", "json")).json())).containsExactly("web01");
        assertThat(hostnames(ok(cli.run("agents", "list", "--site", "hq", "-o", "json")).json())).containsExactly("web01");
        assertThat(hostnames(ok(cli.run("agents", "list", "--status", "offline", "-o", "json")).json())).isEmpty();
        assertThat(hostnames(ok(cli.run("agents", "list", "--status", "online", "--os", "linux", "-o", "json")).json()))
                .containsExactlyInAnyOrder("web01", "db01");
    }

    private static List<String> hostnames(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.get("hostname").asText()).toList();
    }

    @Test
    void agentsShowByHostnameIdPrefixOrFullId() {
        JsonNode byName = ok(cli.run("agents", "show", "web01", "-o", "json")).json();
        assertThat(byName.get("id").asText()).isEqualTo(web.toString());
        assertThat(byName.get("site").asText()).isEqualTo("hq");
        assertThat(byName.get("health").get("state_dir_writable").asBoolean()).isTrue();

        String prefix = db.toString().substring(0, 8);
        assertThat(ok(cli.run("agents", "show", prefix)).out()).contains("hostname", "db01", "health", "ok");
        assertThat(ok(cli.run("agents", "show", db.toString(), "-o", "json")).json().get("hostname").asText()).isEqualTo("db01");
    }

    @Test
    void runWaitPrintsTheRemoteStreamsAndExitsWithTheRemoteExitCode() {
        Cli.Result result = cli.run("run", "--agent", "web01", "--type", "bash", "--command",
                "echo out-line\necho err-line >&2\nexit 7", "--wait");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(7);
        assertThat(result.out()).isEqualTo("out-line\n");
        assertThat(result.err()).contains("running on web01", "err-line\n", "gururmm: exit code 7 on web01.");
    }

    /** Remote output is what the operator asked for: exact through a pipe, escaped on a terminal unless --raw. */
    @Test
    void remoteOutputIsExactThroughAPipeAndEscapedOnATerminal() {
        String script = "printf 'a\\033]0;pwned\\007b\\r\\n\\tc\\rd\\n'; printf 'e\\033[2Jf\\n' >&2";
        String out = "a\u001b]0;pwned\u0007b\r\n\tc\rd\n";
        Cli.Result piped = cli.run("run", "--agent", "web01", "--type", "bash", "--command", script, "--wait", "--quiet");
        assertThat(piped.exitCode()).as(piped.toString()).isZero();
        assertThat(piped.out()).isEqualTo(out);
        assertThat(piped.err()).isEqualTo("e\u001b[2Jf\n");

        Cli.Result onTerminal = cli.runOnTerminal("run", "--agent", "web01", "--type", "bash", "--command", script, "--wait", "--quiet");
        assertThat(onTerminal.exitCode()).as(onTerminal.toString()).isZero();
        assertThat(onTerminal.out()).as("lines, tabs and CRLF kept; ESC, BEL and a lone CR shown").isEqualTo("a\\x1b]0;pwned\\x07b\r\n\tc\\rd\n");
        assertThat(onTerminal.err()).isEqualTo("e\\x1b[2Jf\n");
        Cli.Result raw = cli.runOnTerminal("run", "--agent", "web01", "--type", "bash", "--command", script, "--wait", "--quiet", "--raw");
        assertThat(raw.out()).isEqualTo(out);

        String id = ok(cli.run("run", "--agent", "web01", "--type", "bash", "--command", script)).out().strip();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> ok(cli.run("command", "show", id, "-o", "json")).json().get("status").asText().equals("completed"));
        assertThat(ok(cli.run("command", "show", id)).out()).contains("--- stdout ---\n" + out);
        assertThat(ok(cli.runOnTerminal("command", "show", id)).out()).contains("--- stdout ---\na\\x1b]0;pwned\\x07b\r\n")
                .contains("--- command ---\nprintf 'a\\033").doesNotContain("\u001b");
        assertThat(ok(cli.runOnTerminal("command", "show", id, "--raw")).out()).contains("--- stdout ---\n" + out);
        assertThat(ok(cli.runOnTerminal("command", "show", id, "-o", "json")).json().get("stdout").asText()).isEqualTo(out);
    }

    @Test
    void runTakesTheScriptFromAFileAndInfersTheTypeFromItsExtension(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("fix.sh");
        Files.writeString(script, "echo \"from $((40+2)) file\"\n");
        Cli.Result result = cli.run("run", "--agent", "web01", "--file", script.toString(), "--wait", "--quiet");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("from 42 file\n");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void runTakesTheScriptFromStdin() {
        Cli.Result result = cli.runWithStdin("echo from-stdin ünïcödé\nexit 3\n", "run", "--agent", "db01", "--type", "bash", "--wait");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(result.out()).isEqualTo("from-stdin ünïcödé\n");
    }

    @Test
    void runWithoutWaitPrintsTheCommandIdForCommandShowAndList() {
        Cli.Result submitted = ok(cli.run("run", "--agent", web.toString(), "--type", "sh", "--command", "echo later"));
        String id = submitted.out().strip();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(submitted.out()).isEqualTo(id + "\n");

        JsonNode done = Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> ok(cli.run("command", "show", id, "-o", "json")).json(), n -> n.get("status").asText().equals("completed"));
        assertThat(done.get("stdout").asText()).isEqualTo("later\n");
        assertThat(done.get("agent_id").asText()).isEqualTo(web.toString());
        assertThat(done.get("exit_code").asInt()).isZero();
        assertThat(ok(cli.run("command", "show", id)).out()).contains("status", "completed", "--- stdout ---", "later");

        JsonNode history = ok(cli.run("command", "list", "--agent", "web01", "--status", "completed", "-o", "json")).json();
        assertThat(StreamSupport.stream(history.spliterator(), false).map(n -> n.get("id").asText())).contains(id);
        assertThat(ok(cli.run("command", "list", "--agent", "web01", "--limit", "1", "-o", "json")).json()).hasSize(1);
    }

    @Test
    void runWaitWithJsonOutputPrintsTheCommandResult() throws Exception {
        Cli.Result result = cli.run("run", "-a", "db01", "-t", "python", "-c", "import sys\nprint('py')\nsys.exit(5)", "-w", "-o", "json");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(5);
        CommandView view = Json.mapper().readValue(result.out(), CommandView.class);
        assertThat(view.status()).isEqualTo("completed");
        assertThat(view.stdout()).isEqualTo("py\n");
        assertThat(view.agentId()).isEqualTo(db);
        assertThat(view.commandType()).isEqualTo("python");
    }

    @Test
    void runOnSeveralAgentsPrintsOutputsAndASummary() {
        Cli.Result result = cli.run("run", "--agent", "web01", "--agent", "db01", "--type", "bash", "--command", "echo hello", "--wait");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("=== web01 (completed, exit 0) ===\nhello\n", "=== db01 (completed, exit 0) ===\nhello\n");
        List<String> summary = result.out().lines().dropWhile(l -> !l.startsWith("HOSTNAME")).toList();
        assertThat(summary).hasSize(3);
        assertThat(summary.get(1)).startsWith("web01").contains(web.toString(), "completed");
        assertThat(summary.get(2)).startsWith("db01").contains(db.toString(), "completed");
        assertThat(result.err()).contains("[2/2 done] 2 completed");
    }

    @Test
    void runOnAFilterFailsUnlessEveryAgentExitsZero() throws Exception {
        Cli.Result result = cli.run("run", "--hostname", "*", "--type", "bash", "--command", "echo partial; exit 3", "--wait", "-o", "json");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.API_ERROR);
        List<CommandView> views = Json.mapper().readValue(result.out(), new TypeReference<>() {
        });
        assertThat(views).extracting(CommandView::agentId).containsExactlyInAnyOrder(web, db);
        assertThat(views).allSatisfy(v -> {
            assertThat(v.exitCode()).isEqualTo(3);
            assertThat(v.stdout()).isEqualTo("partial\n");
        });
    }

    @Test
    void runOnSeveralAgentsWithoutWaitListsTheCommandIds() {
        JsonNode submissions = ok(cli.run("run", "--site", "hq", "--agent", "db01", "--type", "sh", "--command", "true", "-o", "json")).json();
        assertThat(submissions).hasSize(2);
        assertThat(submissions.get(0).get("hostname").asText()).isEqualTo("db01");
        assertThat(submissions.get(1).get("hostname").asText()).isEqualTo("web01");
        submissions.forEach(s -> assertThat(UUID.fromString(s.get("command_id").asText())).isNotNull());
    }

    @Test
    void timeoutAndFailureHaveTheirOwnExitCodes() {
        Cli.Result timedOut = cli.run("run", "--agent", "web01", "--type", "bash", "--command", "sleep 30", "--timeout", "1", "--wait");
        assertThat(timedOut.exitCode()).as(timedOut.toString()).isEqualTo(ExitCode.REMOTE_TIMEOUT);
        assertThat(timedOut.err()).contains(" on web01 timeout: ", "timed out after 1 s");

        Cli.Result failed = cli.run("run", "--agent", "web01", "--type", "cmd", "--command", "dir", "--wait");
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(ExitCode.REMOTE_FAILED);
        assertThat(failed.err()).contains("failed: ", "cmd runs only on Windows");
    }

    @Test
    void cancellingAWaitedCommandExits130() {
        CompletableFuture<Cli.Result> waiting = CompletableFuture.supplyAsync(
                () -> cli.run("run", "--agent", "db01", "--type", "bash", "--command", "echo started; sleep 60", "--wait"));
        GuruClient admin = fleet.admin();
        CommandView running = Awaitility.await().atMost(Duration.ofSeconds(30)).until(
                () -> admin.agentCommands(db, "running", 1).stream().findFirst().orElse(null), v -> v != null && v.startedAt() != null);
        JsonNode cancelled = ok(cli.run("command", "cancel", running.id().toString(), "-o", "json")).json();
        assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");

        Cli.Result result = waiting.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.REMOTE_CANCELLED);
        assertThat(result.err()).contains("cancelled");
    }

    @Test
    void enrollmentTokensCanBeCreatedListedAndRevoked() {
        JsonNode created = ok(cli.run("enroll-token", "create", "--site", "branch", "--expires-in-hours", "2", "--max-uses", "3", "-o", "json")).json();
        String id = created.get("id").asText();
        assertThat(created.get("token").asText()).isNotBlank();
        assertThat(created.get("max_uses").asInt()).isEqualTo(3);

        JsonNode listed = ok(cli.run("enroll-token", "list", "-o", "json")).json();
        JsonNode mine = StreamSupport.stream(listed.spliterator(), false).filter(n -> n.get("id").asText().equals(id)).findFirst().orElseThrow();
        assertThat(mine.get("site").asText()).isEqualTo("branch");
        assertThat(mine.get("token").isNull()).as("the secret is shown only once").isTrue();

        assertThat(ok(cli.run("enroll-token", "revoke", id)).out()).isEqualTo("Revoked enrollment token " + id + ".\n");
        assertThat(ok(cli.run("enroll-token", "list")).out()).containsPattern(id + "\\s+branch\\s+revoked");
    }

    @Test
    void commandShowCanWaitForTheResult() throws Exception {
        UUID id = fleet.admin().runCommand(web, new com.gururmm.protocol.api.Commands.CommandRequest("sh", "sleep 1; echo late", null, 30))
                .commandId();
        Cli.Result shown = ok(cli.run("command", "show", id.toString(), "--wait", "60", "-o", "json"));
        JsonNode view = Json.mapper().readTree(shown.out());
        assertThat(view.get("status").asText()).isEqualTo("completed");
        assertThat(view.get("stdout").asText()).isEqualTo("late\n");
        Cli.Result bad = cli.run("command", "show", id.toString(), "--wait", "301");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.USAGE);
    }
}

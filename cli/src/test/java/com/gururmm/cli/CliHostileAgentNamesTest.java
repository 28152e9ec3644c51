package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents choose their own hostnames, so the CLI must survive hostile ones: a name that spells
 * a victim's id prefix or full id must not catch commands meant for the victim, and control
 * characters in a name must reach the terminal escaped. The agents are enrolled through the
 * API (a rogue agent can send any hostname) and stay offline, so commands stay queued where
 * the test can see whom they were for.
 */
@Timeout(120)
class CliHostileAgentNamesTest {
    /** OSC window title, BEL, a colour, a C1 CSI, a bidi override and a forged second line. */
    private static final String EVIL = "evil\u001b]0;owned\u0007\u001b[31m\u009b2J\u202egpj.exe\r\nFAKE-ROW";
    private static final String EVIL_ESCAPED = "evil\\x1b]0;owned\\x07\\x1b[31m\\u009b2J\\u202egpj.exe\\r\\nFAKE-ROW";

    private static TestServer server;
    private static GuruClient admin;
    private static UUID victim;
    private static UUID rogue;
    private static UUID impostor;
    private static UUID evil;
    private static String victimPrefix;

    @TempDir
    Path configDir;
    private Cli cli;

    @BeforeAll
    static void enrollAgents() {
        server = TestServer.start(TestDatabase.Kind.H2);
        admin = server.adminClient();
        victim = enroll("victim");
        victimPrefix = victim.toString().substring(0, 8);
        rogue = enroll(victimPrefix);
        impostor = enroll(victim.toString());
        // The server itself replaces control characters in what agents report (AgentService), so the
        // hostile name is put into the row directly, as a row left by an older server (or any other
        // path) would carry it: the CLI must not trust the server to have cleaned it.
        evil = enroll("evil-to-be");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(server.server().config().databaseUrl());
             java.sql.PreparedStatement update = c.prepareStatement("UPDATE agents SET hostname = ? WHERE id = ?")) {
            update.setString(1, EVIL);
            update.setObject(2, evil);
            assertThat(update.executeUpdate()).isEqualTo(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static UUID enroll(String hostname) {
        String machine = UUID.randomUUID().toString().replace("-", "");
        return admin.enroll(new EnrollRequest(server.enrollmentToken(), UUID.randomUUID().toString(), machine, hostname,
                "linux", "amd64", "0.1.0", "stable")).agentId();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void logIn() {
        cli = new Cli(configDir);
        Cli.Result login = cli.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", server.url().toString(),
                "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
    }

    @Test
    void aRogueNamedLikeTheVictimsIdPrefixDoesNotGetTheCommand() {
        int victimsBefore = admin.agentCommands(victim).size();
        Cli.Result result = cli.run("run", "--agent", victimPrefix, "--type", "sh", "--command", "cat /etc/shadow");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().strip().lines()).hasSize(1);
        assertThat(result.err()).contains("'" + victimPrefix + "' is ambiguous",
                victim + " (victim, offline, by id prefix)", rogue + " (" + victimPrefix + ", offline, by hostname)");
        // Several --agent go through the same rules.
        Cli.Result many = cli.run("run", "--agent", victimPrefix, "--agent", "victim", "--type", "sh", "--command", "true");
        assertThat(many.exitCode()).as(many.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(admin.agentCommands(rogue)).as("the rogue got nothing").isEmpty();
        assertThat(admin.agentCommands(victim)).as("nor did anyone else").hasSize(victimsBefore);
    }

    @Test
    void theFullIdReachesTheVictimEvenWhenAnotherAgentIsNamedWithIt() {
        int victimsBefore = admin.agentCommands(victim).size();
        for (List<String> agents : List.of(List.of(victim.toString()), List.of(victim.toString(), "--agent", evil.toString()))) {
            List<String> args = new java.util.ArrayList<>(List.of("run", "--agent"));
            args.addAll(agents);
            args.addAll(List.of("--type", "sh", "--command", "true"));
            Cli.Result result = cli.run(args.toArray(String[]::new));
            assertThat(result.exitCode()).as(result.toString()).isZero();
        }
        assertThat(admin.agentCommands(victim)).hasSize(victimsBefore + 2);
        assertThat(admin.agentCommands(impostor)).as("named with the victim's id, still nothing").isEmpty();
        assertThat(admin.agentCommands(rogue)).isEmpty();
        Cli.Result show = cli.run("agents", "show", victim.toString(), "-o", "json");
        assertThat(show.json().get("hostname").asText()).isEqualTo("victim");
    }

    @Test
    void controlCharactersInAHostnameArePrintedEscapedInTables() {
        Cli.Result list = cli.run("agents", "list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).contains(EVIL_ESCAPED);
        assertNoControlCharacters(list.out());
        assertThat(list.out().lines()).as("one header and one line per agent, no forged row").hasSize(1 + 4)
                .noneMatch(line -> line.startsWith("FAKE-ROW"));

        for (Cli.Result show : List.of(cli.run("agents", "show", evil.toString()), cli.run("agents", "show", evil.toString().substring(0, 8)))) {
            assertThat(show.exitCode()).as(show.toString()).isZero();
            assertThat(show.out()).containsPattern("hostname\\s+" + java.util.regex.Pattern.quote(EVIL_ESCAPED) + "\n");
            assertNoControlCharacters(show.out());
        }
        Cli.Result queued = cli.run("run", "--agent", evil.toString(), "--agent", "victim", "--type", "sh", "--command", "true");
        assertThat(queued.out()).contains(EVIL_ESCAPED);
        assertNoControlCharacters(queued.out());
    }

    @Test
    void jsonOutputIsExactJsonWithoutRawControlCharacters() throws Exception {
        Cli.Result list = cli.run("agents", "list", "-o", "json");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        List<AgentSummary> agents = com.gururmm.protocol.Json.mapper().readValue(list.out(), new com.fasterxml.jackson.core.type.TypeReference<>() {
        });
        assertThat(agents).extracting(AgentSummary::hostname).contains(EVIL);
        assertNoControlCharacters(list.out());
        assertThat(list.out()).contains("\\u001B]0;owned\\u0007\\u001B[31m\\u009B2J\\u202Egpj.exe\\r\\nFAKE-ROW");
    }

    /** Only the line feeds that end lines, and nothing a terminal would act on. */
    private static void assertNoControlCharacters(String printed) {
        assertThat(printed.chars().filter(c -> c != '\n' && com.gururmm.protocol.text.ControlChars.isUnsafe(c)).toArray())
                .as("raw control characters in:\n%s", printed).isEmpty();
    }
}

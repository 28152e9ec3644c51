package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm agents held release|discard}: an admin's decision on commands held at re-enrolment. */
class CliHeldCommandsTest {
    private static Fleet fleet;
    private static Cli cli;

    @BeforeAll
    static void start(@TempDir Path dir) {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        cli = new Cli(dir.resolve("config"));
        Cli.Result login = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n",
                "login", "--server", fleet.server().url().toString(), "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static Cli.Result ok(Cli.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    @Test
    void heldCommandsAreReleasedOrDiscardedFromTheCli() throws Exception {
        GuruClient admin = fleet.admin();
        String machine = "machine-held-" + UUID.randomUUID();
        String token = fleet.server().enrollmentToken();
        UUID agent = admin.enroll(new com.gururmm.protocol.api.Agents.EnrollRequest(token, "dev-a-" + machine, machine, "held01",
                "linux", "amd64", "1.0.0", "stable")).agentId();
        UUID first = admin.runCommand(agent, new com.gururmm.protocol.api.Commands.CommandRequest("sh", "echo one", null, 30)).commandId();
        UUID second = admin.runCommand(agent, new com.gururmm.protocol.api.Commands.CommandRequest("sh", "echo two", null, 30)).commandId();
        // The same machine enrols again with a new device id: its queued commands are held for an admin.
        admin.enroll(new com.gururmm.protocol.api.Agents.EnrollRequest(token, "dev-b-" + machine, machine, "held01",
                "linux", "amd64", "1.0.0", "stable"));
        assertThat(admin.command(first).status()).isEqualTo("held");

        Cli.Result bad = cli.run("agents", "held", "keep", "held01");
        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(bad.out() + bad.err()).contains("release or discard");
        assertThat(admin.command(first).status()).isEqualTo("held");

        Cli.Result discarded = ok(cli.run("agents", "held", "discard", "held01", first.toString(), "-o", "json"));
        JsonNode result = Json.mapper().readTree(discarded.out());
        assertThat(result.get("action").asText()).isEqualTo("discarded");
        assertThat(result.get("command_ids").toString()).contains(first.toString()).doesNotContain(second.toString());
        assertThat(admin.command(first).status()).isEqualTo("cancelled");
        assertThat(admin.command(second).status()).isEqualTo("held");

        ok(cli.run("agents", "held", "release", "held01"));
        assertThat(admin.command(second).status()).isEqualTo("queued");
    }

}

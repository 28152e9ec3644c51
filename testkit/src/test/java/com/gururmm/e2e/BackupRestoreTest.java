package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Platform;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.ServerProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code gururmm-server backup} while the server runs, then {@code restore} into a fresh data dir
 * and an empty database, on H2 and PostgreSQL: the restored server's agents reconnect with their
 * old credentials, its releases still verify with the restored key, logins and history survive.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BackupRestoreTest {
    private static final Duration COMMAND = Duration.ofSeconds(120);
    private static final String PLATFORM = Platform.currentOs() + "-" + Platform.currentArch();

    @TempDir
    Path work;

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aBackupTakenWhileRunningRestoresIntoAServerWhoseAgentsReconnectAndWhoseReleasesVerify(TestDatabase.Kind kind) throws Exception {
        TestServer original = TestServer.start(kind);
        TestServer restored = null;
        AgentProcess agent = null;
        try {
            GuruClient admin = original.adminClient();
            agent = AgentProcess.create(original.url(), original.enrollmentToken()).start();
            UUID agentId = agent.awaitOnline(admin);
            UUID before = admin.runCommand(agentId, new CommandRequest("sh", "echo before-backup", null, 30)).commandId();
            assertThat(admin.awaitCommand(before, COMMAND).stdout()).isEqualTo("before-backup\n");
            String file = "gururmm-agent-" + PLATFORM + "-7.0.0.jar";
            admin.publishRelease(file, Files.readAllBytes(ReleaseBuilds.withVersion("7.0.0", work.resolve("b.jar"))), "stable");
            admin.createUser("kept@example.test", "kept-password-123", "technician");
            String publicKey = admin.releaseSigningKey().publicKey();

            // Backup while the server runs and the agent is connected.
            Path backup = work.resolve("gururmm.backup.zip");
            ServerProcess.CommandResult taken = ServerProcess.command(original.environment(), Duration.ofSeconds(120), "backup", backup.toString());
            assertThat(taken.exitCode()).as(taken.output()).isZero();
            assertThat(taken.output()).contains("backed up into").contains("4 keys");
            assertThat(Files.getPosixFilePermissions(backup)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            // Written after the backup: not in it.
            admin.createUser("after@example.test", "after-password-123", "viewer");
            int port = original.port();
            original.stop();

            // A bad archive, and a restore over a used data dir, are refused and change nothing.
            Path junk = Files.writeString(work.resolve("junk.zip"), "not a zip");
            TestServer target = TestServer.prepare(kind, Map.of());
            restored = target;
            ServerProcess.CommandResult bad = ServerProcess.command(target.environment(), Duration.ofSeconds(60), "restore", junk.toString());
            assertThat(bad.exitCode()).as(bad.output()).isNotZero();
            ServerProcess.CommandResult overUsed = ServerProcess.command(original.environment(), Duration.ofSeconds(60), "restore", backup.toString());
            assertThat(overUsed.exitCode()).as(overUsed.output()).isEqualTo(2);
            assertThat(overUsed.output()).contains("restore goes into");

            ServerProcess.CommandResult done = ServerProcess.command(target.environment(), Duration.ofSeconds(120), "restore", backup.toString());
            assertThat(done.exitCode()).as(done.output()).isZero();
            assertThat(Files.getPosixFilePermissions(target.dataDir().resolve("release-signing.key")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            target.startOn(port);

            // The agent, still running, reconnects to the restored server with its old credential.
            GuruClient restoredAdmin = target.adminClient();
            Awaitility.await("agent reconnects (log: " + agent.log() + ")").atMost(Duration.ofSeconds(60))
                    .until(() -> restoredAdmin.agent(agentId).status().equals("online"));
            UUID after = restoredAdmin.runCommand(agentId, new CommandRequest("sh", "echo after-restore", null, 30)).commandId();
            assertThat(restoredAdmin.awaitCommand(after, COMMAND).stdout()).isEqualTo("after-restore\n");
            assertThat(restoredAdmin.command(before).stdout()).isEqualTo("before-backup\n");

            // Releases verify with the restored key; the session token of the old server is still valid.
            assertThat(restoredAdmin.releaseSigningKey().publicKey()).isEqualTo(publicKey);
            ReleaseView release = restoredAdmin.releases().stream().filter(r -> r.file().equals(file)).findFirst().orElseThrow();
            assertThat(release.signed()).isTrue();
            assertThat(release.offerable()).as(String.valueOf(release.problems())).isTrue();
            assertThat(admin.agent(agentId).status()).isEqualTo("online");
            assertThat(restoredAdmin.users()).extracting(u -> u.email()).contains("kept@example.test").doesNotContain("after@example.test");
            // New rows continue after the restored ones (identity columns were moved on).
            assertThat(restoredAdmin.audit()).isNotEmpty();
            restoredAdmin.createUser("new@example.test", "new-password-1234", "viewer");
            assertThat(restoredAdmin.audit().get(0).action()).isEqualTo("user.create");
        } finally {
            if (agent != null) {
                agent.close();
            }
            if (restored != null) {
                restored.close();
            }
            original.close();
        }
    }

    /**
     * Damaged archives are refused before anything is written (was: a missing key entry left a
     * restored database, a 0-byte key and a data dir that refused both the server and a second
     * restore; a wrong-typed value was silently coerced). A good archive then restores into the
     * same, untouched target.
     */
    @Test
    void aDamagedBackupIsRefusedBeforeAnythingIsWrittenAndTheRestoreCanThenRun() throws Exception {
        Path backup = work.resolve("good.zip");
        try (TestServer source = TestServer.start(TestDatabase.Kind.H2)) {
            source.adminClient().createUser("typed@example.test", "typed-password-123", "viewer");
            ServerProcess.CommandResult taken = ServerProcess.command(source.environment(), Duration.ofSeconds(120), "backup", backup.toString());
            assertThat(taken.exitCode()).as(taken.output()).isZero();
        }
        Path missingKey = rewrite(backup, work.resolve("missing-key.zip"), (name, bytes) -> name.equals("keys/mfa-secret.key") ? null : bytes);
        Path wrongType = rewrite(backup, work.resolve("wrong-type.zip"), (name, bytes) -> !name.equals("db/users.jsonl") ? bytes
                : new String(bytes, java.nio.charset.StandardCharsets.UTF_8).replace("\"disabled\":false", "\"disabled\":\"yes\"")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path notJson = rewrite(backup, work.resolve("not-json.zip"), (name, bytes) -> name.equals("db/users.jsonl")
                ? "{\"id\": ".getBytes(java.nio.charset.StandardCharsets.UTF_8) : bytes);
        try (TestServer target = TestServer.prepare(TestDatabase.Kind.H2, Map.of())) {
            for (Object[] bad : new Object[][] {{missingKey, "does not hold it"}, {wrongType, "table users, row 1: column disabled: expected true or false"},
                    {notJson, "table users, row 1 is not JSON"}}) {
                ServerProcess.CommandResult refused = ServerProcess.command(target.environment(), Duration.ofSeconds(120), "restore", bad[0].toString());
                assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
                assertThat(refused.output()).contains((String) bad[1]).doesNotContain("Exception");
                try (var keys = Files.list(target.dataDir())) {
                    assertThat(keys.map(p -> p.getFileName().toString())).as("no key written").noneMatch(n -> n.endsWith(".key"));
                }
            }
            ServerProcess.CommandResult done = ServerProcess.command(target.environment(), Duration.ofSeconds(120), "restore", backup.toString());
            assertThat(done.exitCode()).as(done.output()).isZero();
            target.startOn(0);
            assertThat(target.adminClient().users()).extracting(u -> u.email()).contains("typed@example.test");
        }
    }

    /** A copy of {@code zip} with each entry's bytes passed through {@code edit} (null drops the entry). */
    private static Path rewrite(Path zip, Path out, java.util.function.BiFunction<String, byte[], byte[]> edit) throws Exception {
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(zip.toFile());
             java.util.zip.ZipOutputStream copy = new java.util.zip.ZipOutputStream(Files.newOutputStream(out))) {
            for (java.util.zip.ZipEntry entry : java.util.Collections.list(in.entries())) {
                byte[] bytes;
                try (var data = in.getInputStream(entry)) {
                    bytes = edit.apply(entry.getName(), data.readAllBytes());
                }
                if (bytes != null) {
                    copy.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
                    copy.write(bytes);
                    copy.closeEntry();
                }
            }
        }
        return out;
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.testkit.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The data dir is the server user's alone: the packaged server on its zero-setup default (H2 in
 * the data dir, the host's own agent on) leaves nothing in it that another local user can read,
 * and refuses to start on a data dir that others can enter.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DataDirModesTest {
    private static final Path RUNUSER = Path.of("/usr/sbin/runuser");

    @BeforeAll
    static void needsRootAndRunuser() {
        boolean possible = "root".equals(System.getProperty("user.name")) && Files.isExecutable(RUNUSER);
        if (!possible && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI runs as root with runuser; this test must not be skipped there");
        }
        Assumptions.assumeTrue(possible, "needs root and runuser to read files as nobody");
    }

    @Test
    void everythingTheServerWritesIsPrivateAndNobodyCanReadIt() throws Exception {
        Path parent = Files.createTempDirectory("gururmm-modes-");
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x")); // others may reach the data dir itself
        Path dataDir = parent.resolve("data");
        try (ServerProcess server = ServerProcess.create(dataDir, Map.of("GURURMM_LOCAL_AGENT", "auto",
                "GURURMM_ADMIN_PASSWORD", "")).start()) {
            // Wait for what the server writes after its start: the password file and the host's agent and its log.
            await("local agent online (log: " + dataDir.resolve("local-agent.log") + ")").atMost(Duration.ofSeconds(90))
                    .ignoreExceptions().until(() -> server.adminClientWith(Files.readString(dataDir.resolve("initial-admin-password")).trim())
                            .agents().stream().anyMatch(a -> a.status().equals("online")));
            List<Path> everything = walk(dataDir);
            assertThat(everything).extracting(p -> dataDir.relativize(p).toString())
                    .contains("gururmm.mv.db", "initial-admin-password", "release-signing.key", "local-agent", "local-agent.log", "downloads");
            for (Path p : everything) {
                if (Files.isSymbolicLink(p) || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // a link has no mode of its own; a temp file may be gone
                }
                if (p.startsWith(dataDir.resolve("local-agent")) && !p.equals(dataDir.resolve("local-agent"))) {
                    continue; // the agent's own state: it manages those modes; the private dir above guards them (checked below)
                }
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                assertThat(mode).as("%s", p).isEqualTo(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------");
            }
            assertThat(asNobody("ls", dataDir.toString())).as("nobody lists the data dir").isNotZero();
            for (Path p : everything) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    assertThat(asNobody("cat", p.toString())).as("nobody reads %s", p).isNotZero();
                }
            }
            assertThat(asNobody("cat", "/etc/passwd")).as("the control: nobody can read a world-readable file").isZero();
        }
    }

    @Test
    void aDataDirOthersCanEnterIsRefusedWithTheFix() throws Exception {
        Path dataDir = Files.createTempDirectory("gururmm-open-");
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ServerProcess server = ServerProcess.create(dataDir, Map.of());
        int exit = server.runToExit(Duration.ofSeconds(60));
        assertThat(exit).as(server.log()).isNotZero();
        assertThat(server.log()).contains("chmod 700 " + dataDir).contains(dataDir + " is accessible to other users")
                .doesNotContain("listening on");
        assertThat(dataDir.resolve("gururmm.mv.db")).as("nothing was created").doesNotExist();

        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        try (ServerProcess fixed = ServerProcess.create(dataDir, Map.of()).start()) {
            assertThat(fixed.adminClient().me().email()).isEqualTo(ServerProcess.ADMIN_EMAIL);
        }
    }

    private static List<Path> walk(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return new ArrayList<>(paths.toList());
        }
    }

    private static int asNobody(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of(RUNUSER.toString(), "-u", "nobody", "--"));
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("runuser did not finish: " + full);
        }
        return p.exitValue();
    }
}

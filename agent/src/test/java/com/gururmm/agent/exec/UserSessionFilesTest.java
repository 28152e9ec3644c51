package com.gururmm.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.agent.platform.CommandRefusedException;
import com.gururmm.agent.platform.Launch;
import com.gururmm.agent.platform.Platform;
import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.protocol.wire.ServerMessage.RunCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command run as another user must be able to read its script although the agent's state
 * dir is root's alone (0700). Runs a real process as the unprivileged user {@code nobody}
 * through {@code runuser}, the way the Linux platform starts user_session commands; the only
 * stand-in is the choice of user (there is no logged-on session on a build machine).
 */
class UserSessionFilesTest {
    @TempDir
    Path stateRoot;

    @Test
    void theUsersScriptIsReadableByThatUserAndTheStateDirStaysPrivate() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean possible = root && Files.isExecutable(Path.of("/usr/sbin/runuser"));
        if (!possible && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI runs as root with runuser; this test must not be skipped there");
        }
        Assumptions.assumeTrue(possible, "needs root and runuser (a developer laptop without them skips it)");
        Files.setPosixFilePermissions(stateRoot, PosixFilePermissions.fromString("rwx------"));
        Platform linux = Platform.current(Path.of("/etc/machine-id"));
        Platform asNobody = new Platform() {
            @Override
            public String os() {
                return "linux";
            }

            @Override
            public String machineUid() {
                return "test";
            }

            @Override
            public String scriptExtension(CommandType type) {
                return ".sh";
            }

            @Override
            public Launch launch(CommandType type, ExecutionContext context, Path script) throws CommandRefusedException {
                return new Launch(List.of("/usr/sbin/runuser", "-u", "nobody", "--", "env", "-i", "PATH=/usr/bin:/bin", "sh", script.toString()),
                        Map.of(), new Launch.SessionUser("nobody", 65534, 65534, Path.of("/nonexistent")));
            }

            @Override
            public List<String> isolate(List<String> argv) {
                return linux.isolate(argv);
            }

            @Override
            public void killGroup(long pid) {
                linux.killGroup(pid);
            }
        };
        UUID id = UUID.randomUUID();
        CommandResult result = new ProcessRunner(asNobody, stateRoot.resolve("work"))
                .run(new RunCommand(id, "sh", "id -un\npwd", "user_session", 30), new RunningCommand(id), (pid, start) -> { });
        assertThat(result.status()).as(result.stderr()).isEqualTo("completed");
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).startsWith("nobody\n").contains("gururmm-" + id);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateRoot))).isEqualTo("rwx------");
        // Tidied off the path between exit and result, a moment later.
        org.awaitility.Awaitility.await("cleaned up").atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            try (var leftovers = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                return leftovers.noneMatch(p -> p.getFileName().toString().startsWith("gururmm-" + id));
            }
        });
    }
}

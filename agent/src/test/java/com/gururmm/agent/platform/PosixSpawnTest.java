package com.gururmm.agent.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real processes: what a command started with one posix_spawn gets, and that its whole tree can be ended. */
@Timeout(60)
class PosixSpawnTest {
    @TempDir
    Path dir;

    @BeforeEach
    void onGlibc() {
        if (!PosixSpawn.available() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI runs on glibc 2.34+ (Debian 12): posix_spawn with a new session must be available");
        }
        // Elsewhere (musl, older glibc) commands start through setsid, which the other tests cover.
        assumeThat(PosixSpawn.available()).as("glibc 2.34+").isTrue();
    }

    private static String run(Process process) throws Exception {
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return out;
    }

    @Test
    void theProcessLeadsANewSessionInItsDirectoryWithExactlyTheGivenEnvironmentAndNoOtherDescriptor() throws Exception {
        Process process = PosixSpawn.start(List.of("bash", "-c",
                "read -r line; echo \"stdin=[$line]\"; ps -o sid= -p $$ | tr -d ' '; echo $$; pwd; env | sort; echo /proc/$$/fd/*; echo oops >&2"),
                dir, Map.of("PATH", "/usr/bin:/bin", "GURURMM_PARAM_X", "a b $(c)"));
        String out = run(process);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> lines = List.of(out.split("\n"));
        assertThat(process.exitValue()).isZero();
        assertThat(lines.get(0)).isEqualTo("stdin=[]"); // /dev/null
        assertThat(lines.get(1)).as("session id = its own pid").isEqualTo(lines.get(2)).isEqualTo(Long.toString(process.pid()));
        assertThat(lines.get(3)).isEqualTo(dir.toRealPath().toString());
        assertThat(lines).contains("GURURMM_PARAM_X=a b $(c)", "PATH=/usr/bin:/bin").noneMatch(l -> l.startsWith("JAVA_HOME="));
        List<Integer> fds = Arrays.stream(lines.getLast().split(" ")).map(p -> Integer.parseInt(p.substring(p.lastIndexOf('/') + 1))).toList();
        assertThat(fds).as("stdin, stdout, stderr and what bash opens itself; none of the agent's").allMatch(fd -> fd <= 3 || fd == 255);
        assertThat(err).isEqualTo("oops\n");
    }

    @Test
    void exitCodesAndSignalsAreReportedAsTheJdkReportsThem() throws Exception {
        Process failing = PosixSpawn.start(List.of("/bin/sh", "-c", "exit 7"), dir, Map.of());
        assertThat(failing.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failing.exitValue()).isEqualTo(7);
        Process sleeping = PosixSpawn.start(List.of("sleep", "30"), dir, Map.of("PATH", "/usr/bin:/bin"));
        assertThat(sleeping.isAlive()).isTrue();
        assertThat(sleeping.waitFor(100, TimeUnit.MILLISECONDS)).isFalse();
        sleeping.destroyForcibly();
        assertThat(sleeping.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sleeping.exitValue()).isEqualTo(128 + 9);
        assertThat(sleeping.onExit().get(10, TimeUnit.SECONDS)).isSameAs(sleeping);
        // Reaped, it still has a handle (a timeout kills the group, then walks what is left of the tree).
        assertThat(sleeping.toHandle().isAlive()).isFalse();
        assertThat(sleeping.toHandle().descendants()).isEmpty();
        assertThat(sleeping.info().startInstant()).isEmpty();
    }

    @Test
    void killingTheGroupEndsTheWholeTreeAndAMissingProgramIsAClearError() throws Exception {
        Path marker = dir.resolve("grandchild.pid");
        Process parent = PosixSpawn.start(List.of("bash", "-c", "sleep 60 & echo $! > " + marker + "; wait"), dir,
                Map.of("PATH", "/usr/bin:/bin"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((!Files.exists(marker) || Files.readString(marker).isBlank()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long grandchild = Long.parseLong(Files.readString(marker).trim());
        new LinuxPlatform(Path.of("/etc/machine-id")).killGroup(parent.pid());
        assertThat(parent.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false)).isFalse();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PosixSpawn.start(List.of("/no/such/interpreter"), dir, Map.of()))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("/no/such/interpreter").hasMessageContaining("No such file");
    }
}

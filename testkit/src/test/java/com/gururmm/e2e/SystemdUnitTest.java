package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped unit file is valid for systemd (checked offline by {@code systemd-analyze verify},
 * which exits 0 even on unknown keys, so its stderr must also be empty) and declares what
 * SPEC section 7 requires.
 */
class SystemdUnitTest {
    private static final Path PACKAGING = Path.of("..", "packaging", "linux").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void unitDeclaresRootHardeningAndItsStateDirectory() throws Exception {
        String unit = Files.readString(PACKAGING.resolve("gururmm-agent.service"));
        assertThat(unit).contains("StateDirectory=gururmm").contains("ProtectSystem=strict")
                .contains("Environment=GURURMM_STATE_DIR=/var/lib/gururmm").contains("Restart=always")
                .doesNotContain("User=").doesNotContain("NoNewPrivileges=yes");
    }

    @Test
    void systemdAnalyzeVerifyAcceptsTheUnit() throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/systemd-analyze"));
        Assumptions.assumeTrue(present || "true".equalsIgnoreCase(System.getenv("CI")), "systemd-analyze is not installed");
        // verify also checks that ExecStart exists: point it at the wrapper script from the repository.
        Path wrapper = dir.resolve("gururmm-agent");
        Files.copy(PACKAGING.resolve("gururmm-agent"), wrapper);
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        String unit = Files.readString(PACKAGING.resolve("gururmm-agent.service")).replace("/opt/gururmm/bin/gururmm-agent", wrapper.toString());
        Path unitFile = dir.resolve("gururmm-agent.service");
        Files.writeString(unitFile, unit);

        Process verify = new ProcessBuilder(List.of("systemd-analyze", "verify", unitFile.toString())).start();
        String stdout = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(verify.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as(stdout + stderr).isZero();
        assertThat(stderr).as("systemd-analyze warnings").isEmpty();
    }

    @Test
    void wrapperRunsTheAgentJarOnAJava21RuntimeEvenWhenThePathHasAnOlderJava() throws Exception {
        Path jar = Path.of("..", "agent", "target", "gururmm-agent.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar) && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI runs ./mvnw verify, which packages " + jar + " before this test");
        }
        Assumptions.assumeTrue(Files.isRegularFile(jar), "needs the packaged agent jar (./mvnw verify builds it first)");
        Files.copy(jar, dir.resolve("gururmm-agent.jar"));
        ProcessBuilder builder = new ProcessBuilder("sh", PACKAGING.resolve("gururmm-agent").toString(), "--version").redirectErrorStream(true);
        builder.environment().put("GURURMM_HOME", dir.toString());
        builder.environment().remove("GURURMM_JAVA");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.trim()).matches("\\d+\\.\\d+\\.\\d+.*");
    }
}

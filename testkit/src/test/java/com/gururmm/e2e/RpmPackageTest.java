package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .rpm (issue 15), as DebPackageTest does the .deb: {@code packaging/linux/build-rpm.sh} builds it
 * from the same bundle, {@code rpm --root} installs it twice (the second a {@code --replacepkgs}
 * reinstall that runs the scriptlets again) into a fresh root with an empty rpm database and no Java
 * (the bare root DebPackageTest builds); in a chroot the bundled agent prints its version, the
 * packaged CLI runs through /usr/bin/gururmm on the bundled runtime, and the agent enrolls against a
 * real server and comes online. Erase removes the files and keeps the agent's state.
 * {@code --nodeps}: the fresh root has /bin/sh but no rpm package that provides it, and the scriptlets'
 * automatic {@code Requires(post): /bin/sh} would refuse it; on a real RHEL-family system bash provides it.
 */
@Timeout(600)
class RpmPackageTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theRpmInstallsTwiceIntoAFreshRootRunsWithItsOwnJavaAndKeepsStateOnErase() throws Exception {
        boolean possible = DebPackageTest.isRoot() && DebPackageTest.has("rpmbuild") && DebPackageTest.has("rpm")
                && DebPackageTest.has("chroot") && DebPackageTest.has("ldd");
        if (!possible && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI must run RpmPackageTest: it needs root, rpm and rpmbuild (apt-get install rpm), chroot and ldd");
        }
        Assumptions.assumeTrue(possible, "rpm --root and chroot need root, rpm, rpmbuild, chroot and ldd");
        Path jar = ReleaseBuilds.agentJar();
        Path out = REPO.resolve("target/packaging-rpm");
        DebPackageTest.Run build = DebPackageTest.run(REPO, List.of("sh", "packaging/linux/build-rpm.sh", "--jar", jar.toString(),
                "--cli-jar", REPO.resolve("cli/target/gururmm.jar").toString(), "--out", out.toString()), 480);
        assertThat(build.exit()).as(build.output()).isZero();
        Path rpm = Path.of(build.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        String version = Files.readString(out.resolve("bundle-version")).trim();
        assertThat(rpm.getFileName().toString()).isEqualTo("gururmm-agent-" + version.replace('-', '~') + "-1.x86_64.rpm");

        DebPackageTest.Run requires = DebPackageTest.run(REPO, List.of("rpm", "-qp", "--requires", rpm.toString()), 30);
        assertThat(requires.output()).doesNotContainIgnoringCase("java").doesNotContain("libc.so");
        DebPackageTest.Run contents = DebPackageTest.run(REPO, List.of("rpm", "-qlp", rpm.toString()), 60);
        assertThat(contents.output()).contains("/opt/gururmm/jre/bin/java", "/opt/gururmm/gururmm-agent.jar", "/opt/gururmm/bin/gururmm-agent",
                "/usr/lib/systemd/system/gururmm-agent.service", "/etc/gururmm/agent.env", "/opt/gururmm/gururmm.jar", "/usr/bin/gururmm",
                "/usr/share/bash-completion/completions/gururmm");
        DebPackageTest.Run config = DebPackageTest.run(REPO, List.of("rpm", "-qcp", rpm.toString()), 30);
        assertThat(config.output().trim()).isEqualTo("/etc/gururmm/agent.env");

        DebPackageTest deb = new DebPackageTest();
        deb.dir = dir;
        Path root = deb.bareRoot(out.resolve("bundle-root/opt/gururmm/jre"));
        assertThat(Files.exists(root.resolve("usr/bin/java"))).isFalse();
        DebPackageTest.Run init = DebPackageTest.run(REPO, List.of("rpm", "--root", root.toString(), "--initdb"), 60);
        assertThat(init.exit()).as(init.output()).isZero();
        try {
            for (int i = 0; i < 2; i++) {
                DebPackageTest.Run install = DebPackageTest.run(REPO,
                        List.of("rpm", "--root", root.toString(), "-U", "--replacepkgs", "--nodeps", rpm.toString()), 120);
                assertThat(install.exit()).as("install #" + (i + 1) + ": " + install.output()).isZero();
                assertThat(install.output()).doesNotContain("scriptlet failed", "warning");
            }
            DebPackageTest.Run query = DebPackageTest.run(REPO, List.of("rpm", "--root", root.toString(), "-q", "gururmm-agent"), 30);
            assertThat(query.output().trim()).isEqualTo(rpm.getFileName().toString().replaceAll("\\.rpm$", ""));
            assertThat(Files.readString(root.resolve("usr/lib/systemd/system/gururmm-agent.service")))
                    .isEqualTo(Files.readString(REPO.resolve("packaging/linux/gururmm-agent.service")));
            assertThat(root.resolve("var/lib/gururmm")).isDirectory();
            assertThat(Files.readString(root.resolve("usr/share/bash-completion/completions/gururmm"))).contains("complete -F");

            DebPackageTest.Run mounted = DebPackageTest.run(REPO, List.of("mount", "-t", "proc", "proc", root.resolve("proc").toString()), 30);
            assertThat(mounted.exit()).as("mount proc: " + mounted.output()).isZero();
            DebPackageTest.Run printed = DebPackageTest.run(REPO, List.of("chroot", root.toString(), "/opt/gururmm/bin/gururmm-agent", "--version"), 120);
            assertThat(printed.exit()).as(printed.output()).isZero();
            assertThat(printed.output().trim()).isEqualTo(version);
            DebPackageTest.Run cli = DebPackageTest.run(REPO, List.of("chroot", root.toString(), "/usr/bin/gururmm", "--version"), 120);
            assertThat(cli.exit()).as(cli.output()).isZero();
            assertThat(cli.output()).startsWith("gururmm ");

            deb.agentComesOnlineInside(root);

            DebPackageTest.Run erase = DebPackageTest.run(REPO, List.of("rpm", "--root", root.toString(), "-e", "--nodeps", "gururmm-agent"), 120);
            assertThat(erase.exit()).as(erase.output()).isZero();
            assertThat(root.resolve("opt/gururmm/jre")).doesNotExist();
            assertThat(root.resolve("usr/bin/gururmm")).doesNotExist();
            assertThat(root.resolve("usr/lib/systemd/system/gururmm-agent.service")).doesNotExist();
            assertThat(root.resolve("var/lib/gururmm/credentials.json")).exists();
        } finally {
            DebPackageTest.run(REPO, List.of("umount", "-l", root.resolve("proc").toString()), 30);
        }
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-contained agent package (issue 15): {@code packaging/linux/build-deb.sh} builds the .deb
 * (bundled jlink runtime, no Depends on a Java), which {@code dpkg --root} installs twice into a fresh
 * root holding an empty dpkg database and only a shell, the few tools the maintainer scripts and the
 * launcher call, and their shared libraries; no Java. In a chroot into that root the packaged
 * launcher prints the version with the bundled runtime, and the packaged agent enrolls against a
 * real server over loopback and comes online. {@code dpkg -r} then removes the files and keeps the
 * agent's state; {@code --purge} removes that too.
 */
@Timeout(600)
class DebPackageTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> TOOLS = List.of("sh", "ls", "sort", "sed", "head", "grep", "mkdir", "chmod", "rm", "cat", "tr", "readlink", "dirname");

    @TempDir
    Path dir;

    record Run(int exit, String output) {
    }

    static Run run(Path cwd, List<String> command, long timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static boolean isRoot() {
        try {
            return run(Path.of("."), List.of("id", "-u"), 10).output().trim().equals("0");
        } catch (Exception e) {
            return false;
        }
    }

    static boolean has(String tool) {
        try {
            return run(Path.of("."), List.of("sh", "-c", "command -v " + tool), 10).exit() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void theDebInstallsTwiceIntoABareRootRunsWithItsOwnJavaAndKeepsStateOnRemove() throws Exception {
        boolean possible = isRoot() && has("dpkg-deb") && has("dpkg") && has("chroot") && has("ldd");
        if (!possible && "true".equalsIgnoreCase(System.getenv("CI"))) {
            // CI runs as root on Debian: the package must be tested there, never skipped.
            throw new IllegalStateException("CI must run DebPackageTest: it needs root, dpkg, dpkg-deb, chroot and ldd");
        }
        Assumptions.assumeTrue(possible, "dpkg --root and chroot need root, dpkg, dpkg-deb, chroot and ldd");
        Path jar = ReleaseBuilds.agentJar();
        Path out = REPO.resolve("target/packaging");
        Run build = run(REPO, List.of("sh", "packaging/linux/build-deb.sh", "--jar", jar.toString(), "--out", out.toString()), 480);
        assertThat(build.exit()).as(build.output()).isZero();
        Path deb = Path.of(build.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        String version = Files.readString(out.resolve("bundle-version")).trim();
        String arch = run(REPO, List.of("dpkg", "--print-architecture"), 10).output().trim();
        assertThat(deb.getFileName().toString()).isEqualTo("gururmm-agent_" + version + "_" + arch + ".deb");
        assertThat(out.resolve("gururmm-agent-linux-" + arch + "-" + version + ".tar.gz")).exists();

        Run info = run(REPO, List.of("dpkg-deb", "-f", deb.toString()), 30);
        assertThat(info.output()).contains("Package: gururmm-agent", "Version: " + version, "Architecture: " + arch)
                .doesNotContain("Depends:");
        Run contents = run(REPO, List.of("dpkg-deb", "-c", deb.toString()), 60);
        assertThat(contents.output()).contains("./opt/gururmm/jre/bin/java", "./opt/gururmm/gururmm-agent.jar",
                "./opt/gururmm/bin/gururmm-agent", "./lib/systemd/system/gururmm-agent.service", "./etc/gururmm/agent.env");

        Path root = bareRoot(out.resolve("bundle-root/opt/gururmm/jre"));
        assertThat(Files.exists(root.resolve("usr/bin/java"))).isFalse();
        try {
            for (int i = 0; i < 2; i++) {
                Run install = run(REPO, List.of("dpkg", "--root=" + root, "-i", deb.toString()), 120);
                assertThat(install.exit()).as("install #" + (i + 1) + ": " + install.output()).isZero();
            }
            Run status = run(REPO, List.of("dpkg", "--root=" + root, "-s", "gururmm-agent"), 30);
            assertThat(status.output()).contains("Status: install ok installed");
            assertThat(Files.readString(root.resolve("lib/systemd/system/gururmm-agent.service")))
                    .isEqualTo(Files.readString(REPO.resolve("packaging/linux/gururmm-agent.service")));
            assertThat(root.resolve("var/lib/gururmm")).isDirectory();

            // The java launcher finds its runtime through /proc/self/exe, as on any real machine.
            Run mounted = run(REPO, List.of("mount", "-t", "proc", "proc", root.resolve("proc").toString()), 30);
            assertThat(mounted.exit()).as("mount proc: " + mounted.output()).isZero();
            Run printed = run(REPO, List.of("chroot", root.toString(), "/opt/gururmm/bin/gururmm-agent", "--version"), 120);
            assertThat(printed.exit()).as(printed.output()).isZero();
            assertThat(printed.output().trim()).isEqualTo(version);

            agentComesOnlineInside(root);

            Run remove = run(REPO, List.of("dpkg", "--root=" + root, "-r", "gururmm-agent"), 120);
            assertThat(remove.exit()).as(remove.output()).isZero();
            assertThat(root.resolve("opt/gururmm/jre")).doesNotExist();
            assertThat(root.resolve("opt/gururmm/gururmm-agent.jar")).doesNotExist();
            assertThat(root.resolve("lib/systemd/system/gururmm-agent.service")).doesNotExist();
            assertThat(root.resolve("var/lib/gururmm/credentials.json")).exists();
            // The conffile (edited with the server URL) stays until purge, as dpkg does for conffiles.
            assertThat(root.resolve("etc/gururmm/agent.env")).exists();
            Run purge = run(REPO, List.of("dpkg", "--root=" + root, "--purge", "gururmm-agent"), 120);
            assertThat(purge.exit()).as(purge.output()).isZero();
            assertThat(root.resolve("var/lib/gururmm")).doesNotExist();
            assertThat(root.resolve("etc/gururmm/agent.env")).doesNotExist();
        } finally {
            run(REPO, List.of("umount", "-l", root.resolve("proc").toString()), 30);
        }
    }

    /** The packaged launcher under the unit's settings (agent.env, the token file), chrooted, enrolls. */
    void agentComesOnlineInside(Path root) throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            GuruClient admin = server.adminClient();
            String serverUrl = server.url().toString().replaceAll("/$", "");
            Files.writeString(root.resolve("etc/gururmm/agent.env"), "GURURMM_SERVER_URL=" + serverUrl + "\nGURURMM_CHANNEL=stable\n");
            Files.writeString(root.resolve("var/lib/gururmm/enrollment-token"), server.enrollmentToken() + "\n");
            Files.writeString(root.resolve("var/lib/gururmm/machine-id"), UUID.randomUUID().toString().replace("-", "") + "\n");

            ProcessBuilder pb = new ProcessBuilder("chroot", root.toString(), "/opt/gururmm/bin/gururmm-agent", "launcher")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            for (String line : Files.readAllLines(root.resolve("etc/gururmm/agent.env"))) {
                if (line.contains("=") && !line.startsWith("#")) {
                    pb.environment().put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
                }
            }
            // As the unit sets them (packaging/linux/gururmm-agent.service); the machine id file is the
            // test's, so that reruns are new machines.
            pb.environment().put("GURURMM_STATE_DIR", "/var/lib/gururmm");
            pb.environment().put("GURURMM_AGENT_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1");
            pb.environment().put("GURURMM_MACHINE_ID_FILE", "/var/lib/gururmm/machine-id");
            pb.environment().put("GURURMM_INVENTORY_STARTUP_DELAY_SECONDS", "86400");
            Process agent = pb.start();
            try {
                Path credentials = root.resolve("var/lib/gururmm/credentials.json");
                await("enrolled; log: " + dir.resolve("agent.log")).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> agentId(credentials) != null);
                UUID id = agentId(credentials);
                await("online; log: " + dir.resolve("agent.log")).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> admin.agents().stream().anyMatch(a -> a.id().equals(id) && "online".equals(a.status())));
                assertThat(root.resolve("var/lib/gururmm/enrollment-token")).doesNotExist();
            } finally {
                agent.descendants().forEach(ProcessHandle::destroy);
                agent.destroy();
                if (!agent.waitFor(30, TimeUnit.SECONDS)) {
                    agent.descendants().forEach(ProcessHandle::destroyForcibly);
                    agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                agent.descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static UUID agentId(Path credentials) {
        try {
            JsonNode node = Json.mapper().readTree(Files.readString(credentials));
            return UUID.fromString(node.get("agent_id").asText());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A root with an empty dpkg database, a merged /usr like the host's, the tools the maintainer
     * scripts and the launcher call and the shared libraries they and the bundled runtime load
     * (copied from the host), /dev's basic nodes and /tmp. No Java.
     */
    Path bareRoot(Path bundledJre) throws Exception {
        return bareRoot(dir, bundledJre, TOOLS);
    }

    /** {@link #bareRoot(Path)} in {@code dir}, with {@code tools} copied from the host. */
    static Path bareRoot(Path dir, Path bundledJre, List<String> tools) throws Exception {
        Path root = dir.resolve("root");
        for (String d : List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "dev", "proc", "etc", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        Files.writeString(root.resolve("var/lib/dpkg/available"), "");
        for (String d : List.of("bin", "sbin", "lib", "lib64")) {
            Files.createSymbolicLink(root.resolve(d), Path.of("usr", d));
        }
        run(REPO, List.of("chmod", "1777", root.resolve("tmp").toString()), 10);
        Set<String> files = new LinkedHashSet<>();
        for (String tool : tools) {
            files.add(run(REPO, List.of("sh", "-c", "command -v " + tool), 10).output().trim());
        }
        List<String> libsOf = new ArrayList<>(files);
        try (Stream<Path> walk = Files.walk(bundledJre)) {
            walk.filter(p -> p.toString().endsWith(".so") || p.endsWith("bin/java")).forEach(p -> libsOf.add(p.toString()));
        }
        Pattern lib = Pattern.compile("(/\\S+)");
        for (String binary : libsOf) {
            Run ldd = run(REPO, List.of("ldd", binary), 30);
            for (String line : ldd.output().lines().toList()) {
                Matcher m = lib.matcher(line.contains("=>") ? line.substring(line.indexOf("=>")) : line);
                if (m.find() && !m.group(1).startsWith(bundledJre.toString()) && !m.group(1).contains("/bundle-root/")) {
                    files.add(m.group(1));
                }
            }
        }
        for (String file : files) {
            Path target = root.resolve(file.substring(1));
            Files.createDirectories(target.getParent());
            if (!Files.exists(target)) {
                Files.copy(Path.of(file), target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        for (String[] node : List.of(new String[] {"null", "3"}, new String[] {"zero", "5"}, new String[] {"random", "8"}, new String[] {"urandom", "9"})) {
            Run made = run(REPO, List.of("mknod", "-m", "666", root.resolve("dev/" + node[0]).toString(), "c", "1", node[1]), 10);
            assertThat(made.exit()).as(made.output()).isZero();
        }
        for (String etc : List.of("hosts", "hostname", "passwd", "group", "nsswitch.conf")) {
            if (Files.exists(Path.of("/etc", etc))) {
                Files.copy(Path.of("/etc", etc), root.resolve("etc/" + etc));
            }
        }
        return root;
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.e2e.DebPackageTest.Run;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's .deb (packaging/server/build-server-deb.sh): built from the packaged server jar
 * with its own jlink runtime and no Depends on a Java, installed twice with {@code dpkg --root}
 * into a bare root with no Java, where the packaged launcher starts the server under the unit's
 * settings (server.env, the state directory); it answers {@code /healthz} and a login, and its
 * own {@code backup} command works there. {@code dpkg -r} keeps the data dir; purge removes it.
 * systemd itself cannot run here: the unit is checked with {@code systemd-analyze verify} where
 * that exists.
 */
@Timeout(600)
class ServerDebPackageTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> TOOLS = List.of("sh", "id", "readlink", "dirname", "rm", "cat");

    @TempDir
    Path dir;

    @Test
    void theServerDebInstallsIntoABareRootAndRunsOnItsOwnJava() throws Exception {
        boolean possible = DebPackageTest.isRoot() && DebPackageTest.has("dpkg-deb") && DebPackageTest.has("dpkg")
                && DebPackageTest.has("chroot") && DebPackageTest.has("ldd");
        if (!possible && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI must run ServerDebPackageTest: it needs root, dpkg, dpkg-deb, chroot and ldd");
        }
        Assumptions.assumeTrue(possible, "dpkg --root and chroot need root, dpkg, dpkg-deb, chroot and ldd");
        Path jar = REPO.resolve("server/target/gururmm-server.jar");
        Path out = dir.resolve("out");
        Run build = DebPackageTest.run(REPO, List.of("sh", "packaging/server/build-server-deb.sh", "--jar", jar.toString(), "--version",
                "3.2.1", "--out", out.toString()), 480);
        assertThat(build.exit()).as(build.output()).isZero();
        Path deb = Path.of(build.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        String arch = DebPackageTest.run(REPO, List.of("dpkg", "--print-architecture"), 10).output().trim();
        assertThat(deb.getFileName().toString()).isEqualTo("gururmm-server_3.2.1_" + arch + ".deb");
        Run info = DebPackageTest.run(REPO, List.of("dpkg-deb", "-f", deb.toString()), 30);
        assertThat(info.output()).contains("Package: gururmm-server", "Version: 3.2.1").doesNotContain("Depends:");
        Run contents = DebPackageTest.run(REPO, List.of("dpkg-deb", "-c", deb.toString()), 60);
        assertThat(contents.output()).contains("./opt/gururmm-server/jre/bin/java", "./opt/gururmm-server/gururmm-server.jar",
                "./lib/systemd/system/gururmm-server.service").containsPattern("-rw------- root/root +\\d+ .* \\./etc/gururmm/server\\.env");
        if (DebPackageTest.has("systemd-analyze")) {
            Run verify = DebPackageTest.run(REPO, List.of("systemd-analyze", "verify", REPO.resolve("packaging/server/gururmm-server.service").toString()), 60);
            assertThat(verify.output()).doesNotContain("Unknown key").doesNotContain("Failed to parse");
        }

        Path root = DebPackageTest.bareRoot(dir, out.resolve("server-deb-root/opt/gururmm-server/jre"), TOOLS);
        assertThat(Files.exists(root.resolve("usr/bin/java"))).isFalse();
        for (int attempt = 0; attempt < 2; attempt++) {
            Run install = DebPackageTest.run(REPO, List.of("dpkg", "--root=" + root, "-i", deb.toString()), 120);
            assertThat(install.exit()).as("install #" + (attempt + 1) + ": " + install.output()).isZero();
        }
        assertThat(Files.getPosixFilePermissions(root.resolve("etc/gururmm/server.env")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        // The java launcher finds its runtime through /proc/self/exe, as on any real machine.
        Run mounted = DebPackageTest.run(REPO, List.of("mount", "-t", "proc", "proc", root.resolve("proc").toString()), 30);
        assertThat(mounted.exit()).as("mount proc: " + mounted.output()).isZero();
        try {
            runInside(root);
        } finally {
            DebPackageTest.run(REPO, List.of("umount", "-l", root.resolve("proc").toString()), 30);
        }

        Run remove = DebPackageTest.run(REPO, List.of("dpkg", "--root=" + root, "-r", "gururmm-server"), 120);
        assertThat(remove.exit()).as(remove.output()).isZero();
        assertThat(root.resolve("opt/gururmm-server/gururmm-server.jar")).doesNotExist();
        assertThat(root.resolve("var/lib/gururmm-server/jwt-signing.key")).as("remove keeps the data dir").exists();
        Run purge = DebPackageTest.run(REPO, List.of("dpkg", "--root=" + root, "--purge", "gururmm-server"), 120);
        assertThat(purge.exit()).as(purge.output()).isZero();
        assertThat(root.resolve("var/lib/gururmm-server")).doesNotExist();
    }

    /** The packaged launcher under the unit's settings, chrooted: it serves, logs in, and backs up. */
    private void runInside(Path root) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.writeString(root.resolve("etc/gururmm/server.env"), Files.readString(root.resolve("etc/gururmm/server.env"))
                .replace("GURURMM_HTTP_PORT=3001", "GURURMM_HTTP_PORT=" + port)
                + "GURURMM_HTTP_HOST=127.0.0.1\nGURURMM_ADMIN_EMAIL=admin@example.test\nGURURMM_ADMIN_PASSWORD=packaged-server-pw\n");
        // What StateDirectory=gururmm-server with StateDirectoryMode=0700 gives the service.
        Files.createDirectories(root.resolve("var/lib/gururmm-server"),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        ProcessBuilder pb = new ProcessBuilder("chroot", root.toString(), "/bin/sh", "-c",
                "set -a; . /etc/gururmm/server.env; set +a; GURURMM_DATA_DIR=/var/lib/gururmm-server "
                        + "GURURMM_SERVER_JAVA_OPTS='-Xmx256m -XX:TieredStopAtLevel=1' exec /opt/gururmm-server/bin/gururmm-server")
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        Process server = pb.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + port);
            HttpClient http = HttpClient.newHttpClient();
            try {
                await("healthz").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> healthy(http, base) || !server.isAlive());
            } finally {
                assertThat(server.isAlive()).as("the packaged server runs; its log:\n" + Files.readString(dir.resolve("server.log"))).isTrue();
            }
            GuruClient admin = new GuruClient(base, null);
            admin.login("admin@example.test", "packaged-server-pw");
            assertThat(admin.me().role()).isEqualTo("admin");
            Run backup = DebPackageTest.run(REPO, List.of("chroot", root.toString(), "/bin/sh", "-c",
                    "set -a; . /etc/gururmm/server.env; set +a; GURURMM_DATA_DIR=/var/lib/gururmm-server "
                            + "GURURMM_SERVER_JAVA_OPTS=-Xmx256m exec /opt/gururmm-server/bin/gururmm-server backup /tmp/backup.zip"), 120);
            assertThat(backup.exit()).as(backup.output()).isZero();
            assertThat(root.resolve("tmp/backup.zip")).exists();
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean healthy(HttpClient http, URI base) {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/healthz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

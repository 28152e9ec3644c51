package com.gururmm.server.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.release.ReleaseName;
import com.gururmm.protocol.release.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SPEC section 6 offer rule on a real downloads dir, with real sidecars and real hashes. */
class ReleaseScannerTest {
    @TempDir
    Path dir;
    @TempDir
    Path keyDir;
    private ReleaseSigner signer;
    private DownloadsScanner scanner;

    @BeforeEach
    void setUp() {
        signer = ReleaseSigner.load(keyDir.resolve("release-signing.key"), true);
        scanner = new DownloadsScanner(dir, signer, Clock.systemUTC(), Duration.ofSeconds(1));
    }

    /** A build as the pipeline would drop it: bytes, sha256sum-format sidecar, optional channel tag. */
    private Path build(String file, String channel) throws IOException {
        Path path = dir.resolve(file);
        Files.writeString(path, "build " + file);
        Files.writeString(dir.resolve(file + ".sha256"), DownloadsScanner.sha256(path) + "  " + file + "\n");
        if (channel != null) {
            Files.writeString(dir.resolve(file + ".channel"), channel + "\n");
        }
        return path;
    }

    private Optional<String> offered(String os, String arch, String channel, String running) {
        return scanner.refresh().candidates(os, arch, channel, Version.parseLenient(running)).stream().findFirst().map(Release::file);
    }

    @Test
    void betaAgentGetsTheAbsoluteNewestAndStableAgentTheNewestStable() throws IOException {
        build("gururmm-agent-linux-amd64-0.6.0.jar", null);
        build("gururmm-agent-linux-amd64-0.7.0.jar", "stable");
        build("gururmm-agent-linux-amd64-0.8.0.jar", "beta");
        assertThat(offered("linux", "amd64", "beta", "0.6.0")).contains("gururmm-agent-linux-amd64-0.8.0.jar");
        assertThat(offered("linux", "amd64", "stable", "0.6.0")).contains("gururmm-agent-linux-amd64-0.7.0.jar");
        assertThat(scanner.catalog().latest("linux", "amd64", "stable").map(Release::file)).contains("gururmm-agent-linux-amd64-0.7.0.jar");
        assertThat(scanner.catalog().latest("linux", "arm64", "stable")).isEmpty();
    }

    @Test
    void withinOneVersionTheJarComesFirst() throws IOException {
        build("gururmm-agent-windows-amd64-1.0.0.exe", null);
        build("gururmm-agent-windows-amd64-1.0.0.jar", null);
        assertThat(offered("windows", "amd64", "stable", "0.9.0")).contains("gururmm-agent-windows-amd64-1.0.0.jar");
        assertThat(scanner.catalog().latest("windows", "amd64", "stable").map(Release::file)).contains("gururmm-agent-windows-amd64-1.0.0.jar");
    }

    @Test
    void versionsCompareNumerically() throws IOException {
        build("gururmm-agent-windows-amd64-0.6.9.exe", null);
        build("gururmm-agent-windows-amd64-0.6.51.exe", null);
        assertThat(offered("windows", "amd64", "stable", "0.6.0")).contains("gururmm-agent-windows-amd64-0.6.51.exe");
        assertThat(Version.parse("0.6.51").orElseThrow()).isGreaterThan(Version.parse("0.6.9").orElseThrow());
        assertThat(Version.parse("1.0.0-rc1").orElseThrow()).isLessThan(Version.parse("1.0.0").orElseThrow());
        assertThat(Version.parse("1.2").orElseThrow()).isEqualByComparingTo(Version.parse("1.2.0").orElseThrow());
    }

    @Test
    void neverOffersADowngradeOrTheSameVersion() throws IOException {
        build("gururmm-agent-linux-amd64-0.6.51.jar", null);
        assertThat(offered("linux", "amd64", "beta", "0.7.0")).isEmpty();
        assertThat(offered("linux", "amd64", "stable", "0.6.51")).isEmpty();
        assertThat(offered("linux", "amd64", "stable", "0.6.50")).contains("gururmm-agent-linux-amd64-0.6.51.jar");
    }

    @Test
    void windowsHeldOnBetaWhileLinuxStaysStable() throws IOException {
        build("gururmm-agent-windows-amd64-0.6.0.exe", null);
        build("gururmm-agent-linux-amd64-0.6.0", null);
        for (String v : List.of("0.6.1", "0.6.2", "0.6.3", "0.6.4")) {
            build("gururmm-agent-windows-amd64-" + v + ".exe", null);
            build("gururmm-agent-linux-amd64-" + v, null);
        }
        assertThat(offered("windows", "amd64", "stable", "0.6.0")).contains("gururmm-agent-windows-amd64-0.6.4.exe");
        // The operator holds Windows back: the four new Windows builds are re-tagged beta.
        for (String v : List.of("0.6.1", "0.6.2", "0.6.3", "0.6.4")) {
            Files.writeString(dir.resolve("gururmm-agent-windows-amd64-" + v + ".exe.channel"), "beta\n");
        }
        assertThat(offered("windows", "amd64", "stable", "0.6.0")).as("stable Windows agents stay put").isEmpty();
        assertThat(offered("linux", "amd64", "stable", "0.6.0")).contains("gururmm-agent-linux-amd64-0.6.4");
        assertThat(offered("windows", "amd64", "beta", "0.6.0")).contains("gururmm-agent-windows-amd64-0.6.4.exe");
    }

    @Test
    void handEditedSidecarIsPickedUpLiveWithinSeconds() throws IOException {
        build("gururmm-agent-linux-amd64-1.0.0.jar", null);
        build("gururmm-agent-linux-amd64-1.1.0.jar", "beta");
        assertThat(scanner.catalog().latest("linux", "amd64", "stable").map(Release::file)).contains("gururmm-agent-linux-amd64-1.0.0.jar");
        Files.writeString(dir.resolve("gururmm-agent-linux-amd64-1.1.0.jar.channel"), "stable\n"); // echo stable > X.channel
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                scanner.catalog().latest("linux", "amd64", "stable").map(Release::file).orElse("").equals("gururmm-agent-linux-amd64-1.1.0.jar"));
        Files.delete(dir.resolve("gururmm-agent-linux-amd64-1.1.0.jar"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                scanner.catalog().latest("linux", "amd64", "stable").map(Release::file).orElse("").equals("gururmm-agent-linux-amd64-1.0.0.jar"));
    }

    @Test
    void garbledChannelIsNotStableAndNamesTheFile() throws IOException {
        build("gururmm-agent-linux-amd64-1.0.0.jar", null);
        build("gururmm-agent-linux-amd64-1.1.0.jar", "stabel");
        Release garbled = scanner.refresh().find("gururmm-agent-linux-amd64-1.1.0.jar").orElseThrow();
        assertThat(garbled.stable()).isFalse();
        assertThat(garbled.problems()).anyMatch(p -> p.contains("gururmm-agent-linux-amd64-1.1.0.jar.channel contains 'stabel'"));
        assertThat(offered("linux", "amd64", "stable", "0.1.0")).contains("gururmm-agent-linux-amd64-1.0.0.jar");
        assertThat(offered("linux", "amd64", "beta", "0.1.0")).contains("gururmm-agent-linux-amd64-1.1.0.jar");
    }

    @Test
    void buildWithoutAValidSha256IsNeverOffered() throws IOException {
        build("gururmm-agent-linux-amd64-1.0.0.jar", null);
        Path missing = dir.resolve("gururmm-agent-linux-amd64-1.1.0.jar");
        Files.writeString(missing, "no sidecar");
        Path wrong = build("gururmm-agent-linux-amd64-1.2.0.jar", null);
        Files.writeString(wrong, "tampered after hashing");
        build("gururmm-agent-linux-amd64-1.3.0.jar", null);
        Files.writeString(dir.resolve("gururmm-agent-linux-amd64-1.3.0.jar.sha256"), "not a hash\n");
        ReleaseCatalog catalog = scanner.refresh();
        assertThat(catalog.releases()).hasSize(4);
        assertThat(catalog.find("gururmm-agent-linux-amd64-1.1.0.jar").orElseThrow().problems()).anyMatch(p -> p.contains("has no .sha256"));
        assertThat(catalog.find("gururmm-agent-linux-amd64-1.2.0.jar").orElseThrow().problems()).anyMatch(p -> p.contains("does not match its .sha256"));
        assertThat(catalog.find("gururmm-agent-linux-amd64-1.3.0.jar").orElseThrow().offerable()).isFalse();
        assertThat(offered("linux", "amd64", "beta", "0.1.0")).contains("gururmm-agent-linux-amd64-1.0.0.jar");
    }

    @Test
    void onlyReleaseNamesAreReleases() throws IOException {
        build("gururmm-agent-linux-amd64-1.0.0.jar", null);
        Files.writeString(dir.resolve("gururmm-agent-setup-1.0.0.msi"), "installer");
        Files.createSymbolicLink(dir.resolve("gururmm-agent-linux-amd64-latest.jar"), Path.of("gururmm-agent-linux-amd64-1.0.0.jar"));
        Files.writeString(dir.resolve("gururmm-agent-linux-amd64-01.0.0.jar"), "leading zero");
        Files.writeString(dir.resolve("gururmm-agent-plan9-amd64-1.0.0"), "unknown os");
        assertThat(scanner.refresh().releases()).extracting(Release::file).containsExactly("gururmm-agent-linux-amd64-1.0.0.jar");
        assertThat(ReleaseName.parse("gururmm-agent-linux-arm64-0.7.0")).isPresent();
        assertThat(ReleaseName.parse("gururmm-agent-macos-arm64-0.7.0.tar.gz").orElseThrow().ext()).isEqualTo(".tar.gz");
    }

    @Test
    void signatureCoversNameVersionPlatformAndHash() throws IOException {
        Path path = build("gururmm-agent-linux-amd64-1.0.0.jar", null);
        ReleaseName name = ReleaseName.parse("gururmm-agent-linux-amd64-1.0.0.jar").orElseThrow();
        String sha = DownloadsScanner.sha256(path);
        Files.writeString(dir.resolve("gururmm-agent-linux-amd64-1.0.0.jar.sig"), signer.sign(name, sha));
        assertThat(scanner.refresh().find(name.fileName()).orElseThrow().signed()).isTrue();
        ReleaseName other = ReleaseName.parse("gururmm-agent-linux-arm64-1.0.0.jar").orElseThrow();
        assertThat(signer.verify(other, sha, signer.sign(name, sha))).isFalse();
        assertThat(signer.verify(name, sha.replace(sha.charAt(0), sha.charAt(0) == 'a' ? 'b' : 'a'), signer.sign(name, sha))).isFalse();
    }

    @Test
    void raisingARolloutPercentageOnlyAddsAgents() {
        List<UUID> agents = IntStream.range(0, 500).mapToObj(i -> UUID.randomUUID()).toList();
        List<UUID> at10 = agents.stream().filter(a -> RolloutPolicy.includes(a, "1.2.0", 10)).toList();
        List<UUID> at50 = agents.stream().filter(a -> RolloutPolicy.includes(a, "1.2.0", 50)).toList();
        assertThat(at50).containsAll(at10);
        assertThat(at10.size()).isBetween(20, 90);
        assertThat(agents.stream().filter(a -> RolloutPolicy.includes(a, "1.2.0", 100)).count()).isEqualTo(500);
        assertThat(agents.stream().filter(a -> RolloutPolicy.includes(a, "1.2.0", 0)).count()).isZero();
    }
}

package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gururmm releases ...} against a real server and its real downloads dir. Each test uses
 * its own platform, so a cleanup in one cannot remove another's builds.
 */
class CliReleasesTest {
    private static final String VIEWER_EMAIL = "viewer@example.test";
    private static final String VIEWER_PASSWORD = "viewer-password-123";

    private static TestServer server;
    private static Path downloads;
    private static Cli admin;
    private static Cli viewer;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startServerAndLogIn() {
        server = TestServer.start(TestDatabase.Kind.H2);
        downloads = server.server().config().downloadsDir();
        server.adminClient().createUser(VIEWER_EMAIL, VIEWER_PASSWORD, "viewer");
        admin = logIn("admin", TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        viewer = logIn("viewer", VIEWER_EMAIL, VIEWER_PASSWORD);
    }

    private static Cli logIn(String name, String email, String password) {
        Cli cli = new Cli(dir.resolve(name));
        Cli.Result login = cli.runWithStdin(password, "login", "--server", server.url().toString(), "--email", email, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
        return cli;
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static Cli.Result ok(Cli.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    /** The CLI's contract for every failure: the code, one line starting "gururmm: ", no stack trace, nothing on stdout. */
    private static String failsWith(Cli.Result result, int exitCode) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
        assertThat(result.err()).as(result.toString()).startsWith("gururmm: ").endsWith("\n").doesNotContain("Exception", "\tat ");
        assertThat(result.err().strip().lines()).as(result.toString()).hasSize(1);
        assertThat(result.out()).isEmpty();
        return result.err().strip();
    }

    private static Path build(String name) throws Exception {
        Path file = dir.resolve("builds").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "agent build " + name + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static JsonNode listed(String file) {
        JsonNode all = ok(admin.run("releases", "list", "-o", "json")).json();
        return StreamSupport.stream(all.spliterator(), false).filter(n -> n.get("file").asText().equals(file)).findFirst().orElse(null);
    }

    @Test
    void publishListPromoteDemoteAndStageABuild() throws Exception {
        String name = "gururmm-agent-linux-amd64-1.2.3.jar";
        Path file = build(name);

        JsonNode published = ok(admin.run("releases", "publish", file.toString(), "-o", "json")).json();
        assertThat(published.get("file").asText()).isEqualTo(name);
        assertThat(published.get("channel").asText()).as("new builds soak on beta").isEqualTo("beta");
        assertThat(published.get("sha256").asText()).isEqualTo(sha256(file));
        assertThat(published.get("signed").asBoolean()).isTrue();
        assertThat(published.get("offerable").asBoolean()).isTrue();
        assertThat(Files.readAllBytes(downloads.resolve(name))).isEqualTo(Files.readAllBytes(file));
        assertThat(Files.readString(downloads.resolve(name + ".channel")).strip()).isEqualTo("beta");

        List<ReleaseView> views = Json.mapper().readValue(ok(admin.run("releases", "list", "--output", "json")).out(), new TypeReference<>() {
        });
        ReleaseView view = views.stream().filter(v -> v.file().equals(name)).findFirst().orElseThrow();
        assertThat(view.version()).isEqualTo("1.2.3");
        assertThat(view.os()).isEqualTo("linux");
        assertThat(view.arch()).isEqualTo("amd64");
        assertThat(view.rollout().percent()).isEqualTo(100);

        List<String> table = ok(viewer.run("releases", "list")).out().lines().toList();
        assertThat(table.getFirst()).startsWith("FILE").contains("VERSION", "CHANNEL", "ROLLOUT", "SIGNED", "OFFERABLE", "PROBLEMS");
        assertThat(table).anySatisfy(line -> assertThat(line).matches(
                "\\Q" + name + "\\E\\s+1\\.2\\.3\\s+beta\\s+100%\\s+yes\\s+yes\\s+0\\s+0\\s+0\\s+-"));

        assertThat(ok(admin.run("releases", "promote", name)).out()).containsPattern("(?m)^channel\\s+stable$");
        assertThat(Files.readString(downloads.resolve(name + ".channel")).strip()).isEqualTo("stable");
        assertThat(listed(name).get("channel").asText()).isEqualTo("stable");

        assertThat(ok(admin.run("releases", "demote", name, "-o", "json")).json().get("channel").asText()).isEqualTo("beta");
        assertThat(Files.readString(downloads.resolve(name + ".channel")).strip()).isEqualTo("beta");

        JsonNode staged = ok(admin.run("releases", "rollout", name, "--percent", "10", "-o", "json")).json().get("rollout");
        assertThat(staged.get("percent").asInt()).isEqualTo(10);
        assertThat(staged.get("paused").asBoolean()).isFalse();
        assertThat(ok(admin.run("releases", "rollout", name, "--pause")).out()).containsPattern("(?m)^rollout\\s+10% paused$");
        assertThat(listed(name).get("rollout").get("pause_reason").asText()).contains(TestServer.ADMIN_EMAIL);
        JsonNode resumed = ok(admin.run("releases", "rollout", name, "--resume", "--percent", "100", "-o", "json")).json().get("rollout");
        assertThat(resumed.get("paused").asBoolean()).isFalse();
        assertThat(resumed.get("percent").asInt()).isEqualTo(100);
    }

    @Test
    void publishUnderAnotherNameAndStraightToStable() throws Exception {
        Path file = build("gururmm-agent.jar");
        String name = "gururmm-agent-macos-arm64-2.0.0.jar";
        ok(admin.run("releases", "publish", file.toString(), "--as", name, "--channel", "stable"));
        assertThat(listed(name).get("channel").asText()).isEqualTo("stable");
        assertThat(Files.readAllBytes(downloads.resolve(name))).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void cleanupKeepsTheNewestStableAndTheNewestBeta() throws Exception {
        String prefix = "gururmm-agent-windows-arm64-";
        for (String version : List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0")) {
            ok(admin.run("releases", "publish", build(prefix + version + ".exe").toString()));
        }
        ok(admin.run("releases", "promote", prefix + "1.0.0.exe"));
        ok(admin.run("releases", "promote", prefix + "1.1.0.exe"));
        // Now: 1.3.0 newest (and newest beta), 1.1.0 newest stable, 1.0.0 and 1.2.0 old.

        String dryRun = ok(admin.run("releases", "cleanup", "--keep", "1", "--dry-run")).out();
        assertThat(dryRun).containsPattern("\\Q" + prefix + "1.0.0.exe\\E\\s+would remove")
                .containsPattern("\\Q" + prefix + "1.2.0.exe\\E\\s+would remove")
                .containsPattern("\\Q" + prefix + "1.1.0.exe\\E\\s+kept\\s+newest stable version of windows-arm64")
                .containsPattern("\\Q" + prefix + "1.3.0.exe\\E\\s+kept\\s+newest beta version of windows-arm64");
        assertThat(downloads.resolve(prefix + "1.0.0.exe")).as("a dry run removes nothing").exists();

        JsonNode result = ok(admin.run("releases", "cleanup", "--keep", "1", "-o", "json")).json();
        assertThat(result.get("dry_run").asBoolean()).isFalse();
        assertThat(StreamSupport.stream(result.get("removed").spliterator(), false).map(JsonNode::asText))
                .containsExactlyInAnyOrder(prefix + "1.0.0.exe", prefix + "1.2.0.exe");
        assertThat(downloads.resolve(prefix + "1.0.0.exe")).doesNotExist();
        assertThat(downloads.resolve(prefix + "1.2.0.exe")).doesNotExist();
        assertThat(listed(prefix + "1.1.0.exe").get("channel").asText()).isEqualTo("stable");
        assertThat(listed(prefix + "1.3.0.exe").get("channel").asText()).isEqualTo("beta");
    }

    @Test
    void aMissingOrEmptyBuildFileIsAUsageError() throws Exception {
        Path missing = dir.resolve("gururmm-agent-linux-386-1.0.0");
        assertThat(failsWith(admin.run("releases", "publish", missing.toString()), ExitCode.USAGE))
                .isEqualTo("gururmm: Build file '" + missing + "' does not exist.");
        Path empty = Files.createFile(dir.resolve("gururmm-agent-linux-386-1.0.1"));
        assertThat(failsWith(admin.run("releases", "publish", empty.toString()), ExitCode.USAGE)).contains("is empty");
        assertThat(listed("gururmm-agent-linux-386-1.0.1")).isNull();
    }

    @Test
    void aMalformedFileNameSaysWhichPartIsWrong() throws Exception {
        assertThat(failsWith(admin.run("releases", "publish", build("agent-1.0.0.jar").toString()), ExitCode.USAGE))
                .contains("'agent-1.0.0.jar' is not an agent build name", "gururmm-agent-{os}-{arch}-{version}{ext}");
        assertThat(failsWith(admin.run("releases", "publish", build("gururmm-agent-beos-amd64-1.0.0.jar").toString()), ExitCode.USAGE))
                .contains("os 'beos' is not one of windows, linux, macos");
        assertThat(failsWith(admin.run("releases", "publish", build("gururmm-agent-linux-sparc-1.0.0.jar").toString()), ExitCode.USAGE))
                .contains("arch 'sparc' is not one of amd64, arm64, 386");
        assertThat(failsWith(admin.run("releases", "publish", build("gururmm-agent-linux-amd64-1.x.jar").toString()), ExitCode.USAGE))
                .contains("'1.x' is not a version");
        assertThat(failsWith(admin.run("releases", "publish", build("gururmm-agent-linux-amd64-1.02.jar").toString()), ExitCode.USAGE))
                .contains("without leading zeros");
        // Names given as arguments are checked the same way, by picocli, before any request.
        assertThat(failsWith(admin.run("releases", "promote", "gururmm-agent-linux-amd64-v2.jar"), ExitCode.USAGE))
                .contains("'v2' is not a version", "See 'gururmm releases promote --help'");
        try (var files = Files.list(downloads)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.contains("beos") || f.contains("1.x") || f.contains("sparc"));
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        String name = "gururmm-agent-linux-amd64-9.9.9.jar";
        assertThat(failsWith(admin.run("releases", "rollout", name), ExitCode.USAGE)).contains("--percent N, --pause or --resume");
        assertThat(failsWith(admin.run("releases", "rollout", name, "--percent", "101"), ExitCode.USAGE)).contains("between 0 and 100");
        assertThat(failsWith(admin.run("releases", "rollout", name, "--pause", "--resume"), ExitCode.USAGE)).contains("mutually exclusive");
        assertThat(failsWith(admin.run("releases", "cleanup", "--keep", "0"), ExitCode.USAGE)).contains("at least the newest 1");
        assertThat(failsWith(admin.run("releases", "publish", "x.jar", "--channel", "nightly"), ExitCode.USAGE)).contains("stable, beta");
    }

    @Test
    void refusalsFromTheServerAreOneLineAndExit1() throws Exception {
        String unknown = "gururmm-agent-linux-arm64-9.9.9.jar";
        assertThat(failsWith(admin.run("releases", "promote", unknown), ExitCode.API_ERROR))
                .startsWith("gururmm: the server refused the request (404 not_found): No release " + unknown);

        Path file = build("gururmm-agent-linux-arm64-3.0.0.jar");
        assertThat(failsWith(viewer.run("releases", "publish", file.toString()), ExitCode.API_ERROR)).contains("(403 ");
        assertThat(listed("gururmm-agent-linux-arm64-3.0.0.jar")).as("a viewer cannot publish").isNull();

        ok(admin.run("releases", "publish", file.toString()));
        assertThat(failsWith(admin.run("releases", "publish", file.toString()), ExitCode.API_ERROR)).contains("(409 ", "already published");
    }

    @Test
    void everyReleasesCommandHasHelpWithExamples() {
        Cli.Result help = ok(admin.run("releases", "--help"));
        assertThat(help.out()).contains("list", "publish", "promote", "demote", "rollout", "cleanup", "Examples:");
        // picocli's tracer reports a bad help text (e.g. an unescaped '%') on System.err, not on the command's stream.
        PrintStream systemErr = System.err;
        ByteArrayOutputStream tracer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(tracer, true, StandardCharsets.UTF_8));
        try {
            for (String command : List.of("list", "publish", "promote", "demote", "rollout", "cleanup")) {
                Cli.Result sub = ok(admin.run("releases", command, "--help"));
                assertThat(sub.out()).as(command).contains("Examples:", "gururmm releases " + command, "--output");
                assertThat(sub.err()).as(command).isEmpty();
            }
        } finally {
            System.setErr(systemErr);
        }
        assertThat(tracer.toString(StandardCharsets.UTF_8)).as("picocli warnings").isEmpty();
        assertThat(ok(admin.run("releases", "publish", "--help")).out()).contains("--as", "--channel");
    }
}

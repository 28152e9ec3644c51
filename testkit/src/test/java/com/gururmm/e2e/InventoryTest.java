package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Inventories.AgentInventory;
import com.gururmm.protocol.api.Inventories.SearchHit;
import com.gururmm.protocol.api.Inventories.SearchResult;
import com.gururmm.protocol.api.Inventories.SoftwareChange;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.protocol.wire.SystemInventory.Filesystem;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.protocol.wire.SystemInventory.Updates;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, inventory: real agents report their system inventory; search finds the right machines;
 * a refresh through the API picks up a change; oversized and hostile reports are refused without
 * touching other agents.
 */
class InventoryTest {
    private TestServer server;
    private GuruClient admin;

    @BeforeEach
    void start() {
        // A 10 s heartbeat: writing the 100 MB frame below can take longer than the default 3 s idle
        // timeout on a loaded machine, and the test is about the frame limit closing it, not idleness.
        server = TestServer.start(TestDatabase.Kind.H2, java.util.Map.of("GURURMM_HEARTBEAT_SECONDS", "10"));
        admin = server.adminClient();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String stanza(String name, String version, String status) {
        return "Package: " + name + "\nStatus: " + status + "\nPriority: optional\nSection: misc\nMaintainer: Test <t@example.test>\n"
                + "Architecture: amd64\nVersion: " + version + "\nDescription: fixture package\n multi-line description\n .\n end\n\n";
    }

    private AgentInventory awaitInventory(UUID agentId, Instant after) {
        await("inventory of " + agentId).atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(300)).until(() -> {
            try {
                Instant collected = admin.inventory(agentId).collectedAt();
                return after == null || collected.isAfter(after);
            } catch (GuruApiException e) {
                if (e.status() == 404) {
                    return false;
                }
                throw e;
            }
        });
        return admin.inventory(agentId);
    }

    private static String installedBashVersion() throws Exception {
        Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", "bash").start();
        String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("dpkg-query -W bash").isZero();
        return version;
    }

    /** Collecting takes a while on a loaded machine ({@code apt-get -s upgrade} alone can take 15 s). */
    @Test
    @org.junit.jupiter.api.Timeout(value = 6, unit = TimeUnit.MINUTES)
    void realAgentsReportTheirSoftwareSearchFindsTheRightOneAndRefreshPicksUpAChange() throws Exception {
        Path fixture = Files.createTempFile("dpkg-status-", "");
        Files.writeString(fixture, stanza("bash", "5.0-4", "install ok installed") + stanza("gurutest-tool", "1.0-1", "install ok installed")
                + stanza("gurutest-removed", "0.5", "deinstall ok config-files"));
        try (AgentProcess fixtureAgent = AgentProcess.create(server.url(), server.enrollmentToken())
                .env("GURURMM_DPKG_STATUS", fixture.toString()).env("GURURMM_INVENTORY_STARTUP_DELAY_SECONDS", "0").start();
             AgentProcess realAgent = AgentProcess.create(server.url(), server.enrollmentToken())
                     .env("GURURMM_INVENTORY_STARTUP_DELAY_SECONDS", "0").start()) {
            UUID fixtureId = fixtureAgent.awaitOnline(admin);
            UUID realId = realAgent.awaitOnline(admin);

            AgentInventory fromFixture = awaitInventory(fixtureId, null);
            assertThat(fromFixture.software()).extracting(Software::name, Software::version, Software::arch, Software::source)
                    .contains(tuple("gurutest-tool", "1.0-1", "amd64", "dpkg"), tuple("bash", "5.0-4", "amd64", "dpkg"))
                    .extracting(t -> t.toArray()[0]).doesNotContain("gurutest-removed");
            assertThat(fromFixture.hardware()).isNotNull();
            assertThat(fromFixture.hardware().memoryBytes()).isPositive();
            assertThat(fromFixture.filesystems()).isNotEmpty();

            // The machine's own dpkg database: bash is certainly installed on this Debian machine.
            AgentInventory real = awaitInventory(realId, null);
            assertThat(real.software()).filteredOn(s -> s.name().equals("bash") && "dpkg".equals(s.source()))
                    .singleElement().satisfies(s -> assertThat(s.version()).isEqualTo(installedBashVersion()));
            assertThat(real.software().size()).isGreaterThan(50);

            // Which machines have bash below 5.1? Only the fixture one (this machine has 5.2).
            SearchResult old = admin.searchInventory(Map.of("software", "bash", "version_below", "5.1"));
            assertThat(old.results()).extracting(SearchHit::agentId).containsExactly(fixtureId);
            assertThat(old.results().getFirst().software()).extracting(Software::version).containsExactly("5.0-4");
            assertThat(admin.searchInventory(Map.of("software", "BASH", "version_below", "99")).results()).extracting(SearchHit::agentId)
                    .containsExactlyInAnyOrder(fixtureId, realId);
            assertThat(admin.searchInventory(Map.of("software", "gurutest-*")).results()).extracting(SearchHit::agentId)
                    .containsExactly(fixtureId);

            // A package upgraded and one installed; the refresh through the API picks both up.
            Files.writeString(fixture, stanza("bash", "5.0-4", "install ok installed") + stanza("gurutest-tool", "1.1-1", "install ok installed")
                    + stanza("gurutest-new", "0.1~beta1", "install ok installed"));
            var refresh = admin.refreshInventory(fixtureId);
            assertThat(refresh.agentId()).isEqualTo(fixtureId);
            AgentInventory refreshed = awaitInventory(fixtureId, fromFixture.collectedAt());
            assertThat(refreshed.software()).extracting(Software::name, Software::version)
                    .contains(tuple("gurutest-tool", "1.1-1"), tuple("gurutest-new", "0.1~beta1"));
            assertThat(refreshed.softwareChanges()).extracting(SoftwareChange::event, SoftwareChange::name, SoftwareChange::oldVersion,
                    SoftwareChange::newVersion).containsExactlyInAnyOrder(
                    tuple("upgraded", "gurutest-tool", "1.0-1", "1.1-1"), tuple("installed", "gurutest-new", null, "0.1~beta1"));
            assertThat(admin.audit()).filteredOn(e -> e.action().equals("inventory.refresh"))
                    .singleElement().satisfies(e -> assertThat(e.target()).isEqualTo(fixtureId.toString()));
            assertThat(admin.searchInventory(Map.of("software", "gurutest-tool", "version_below", "1.1")).results()).isEmpty();
        } finally {
            Files.deleteIfExists(fixture);
        }
    }

    private static SystemInventory report(List<Software> software, Filesystem fs, int pending, boolean reboot) {
        return new SystemInventory(1, Instant.now(), null, List.of(), List.of(), List.of(fs), software, List.of(),
                new Updates("apt", pending, 0, IntStream.range(0, pending).mapToObj(i -> "upd" + i).toList(), reboot, "/var/run/reboot-required"),
                List.of());
    }

    @Test
    void filesystemPendingUpdateAndRebootFiltersFindExactlyTheMatchingAgents() throws Exception {
        RawAgent full = RawAgent.enroll(server);
        RawAgent roomy = RawAgent.enroll(server);
        full.hello();
        roomy.hello();
        full.send(new AgentMessage.SystemInventoryReport(null, report(List.of(new Software("bash", "5.2", "amd64", "dpkg")),
                new Filesystem("/", "ext4", "/dev/sda1", 100_000_000_000L, 5_000_000_000L), 3, true)));
        roomy.send(new AgentMessage.SystemInventoryReport(null, report(List.of(new Software("bash", "5.2", "amd64", "dpkg")),
                new Filesystem("/", "ext4", "/dev/sda1", 100_000_000_000L, 50_000_000_000L), 0, false)));
        assertThat(full.syncAndDrain()).noneMatch(m -> m instanceof ServerMessage.Refused);
        assertThat(roomy.syncAndDrain()).noneMatch(m -> m instanceof ServerMessage.Refused);

        SearchResult low = admin.searchInventory(Map.of("filesystem_free_below_percent", "10"));
        assertThat(low.results()).extracting(SearchHit::agentId).containsExactly(full.agentId);
        assertThat(low.results().getFirst().filesystems()).singleElement().satisfies(f -> {
            assertThat(f.mount()).isEqualTo("/");
            assertThat(f.freePercent()).isEqualTo(5.0);
        });
        assertThat(admin.searchInventory(Map.of("filesystem_free_below_percent", "60")).results()).hasSize(2);
        assertThat(admin.searchInventory(Map.of("pending_updates_above", "2")).results()).extracting(SearchHit::agentId)
                .containsExactly(full.agentId);
        assertThat(admin.searchInventory(Map.of("reboot_required", "false")).results()).extracting(SearchHit::agentId)
                .containsExactly(roomy.agentId);
        assertThat(admin.searchInventory(Map.of("pending_updates_older_than_days", "1")).results())
                .as("first seen just now, so not older than a day").isEmpty();
        assertThat(admin.searchInventory(Map.of("pending_updates_older_than_days", "0")).results()).extracting(SearchHit::agentId)
                .containsExactly(full.agentId);
        assertThat(admin.searchInventory(Map.of("software", "bash", "filesystem_free_below_percent", "10", "limit", "1")).results())
                .extracting(SearchHit::agentId).containsExactly(full.agentId);

        for (Map<String, String> bad : List.of(Map.<String, String>of(), Map.of("filesystem_free_below_percent", "ten"),
                Map.of("filesystem_free_below_percent", "0"), Map.of("version_below", "1.0"), Map.of("software", "x", "limit", "0"),
                Map.of("software", "x", "limit", "5000"), Map.of("reboot_required", "yes"), Map.of("softwares", "bash"),
                Map.of("pending_updates_above", "-1"))) {
            assertThatThrownBy(() -> admin.searchInventory(bad)).as(bad.toString()).isInstanceOfSatisfying(GuruApiException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.getMessage()).containsAnyOf(bad.isEmpty() ? List.of("at least one filter").toArray(new String[0])
                        : bad.keySet().toArray(new String[0]));
            });
        }
        assertThat(admin.raw("POST", "/api/agents/" + UUID.randomUUID() + "/inventory/refresh", null, Map.of()).status()).isEqualTo(404);
        full.socket.sendClose(1000, "bye").join();
        await().atMost(Duration.ofSeconds(10)).until(() -> !server.server().registry().isOnline(full.agentId));
        assertThatThrownBy(() -> admin.refreshInventory(full.agentId)).isInstanceOfSatisfying(GuruApiException.class,
                e -> assertThat(e.status()).isEqualTo(409));
    }

    @Test
    void fiveThousandPackagesFitWhileOversizedAndHostileReportsAreRefusedWithoutAffectingOthers() throws Exception {
        RawAgent hostile = RawAgent.enroll(server);
        RawAgent neighbour = RawAgent.enroll(server);
        hostile.hello();
        neighbour.hello();
        // The neighbour beats as a real agent does, or the server's idle timeout (3 s in tests) would drop it while the hostile one is busy.
        Thread beats = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    neighbour.send(new AgentMessage.Heartbeat(Instant.now()));
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    return;
                }
            }
        });
        Filesystem fs = new Filesystem("/", "ext4", "/dev/sda1", 1000, 500);

        List<Software> fiveThousand = IntStream.range(0, 5000).mapToObj(i -> new Software("package-with-a-longish-name-" + i,
                "1:2.3.4-5+deb12u" + i, "amd64", "dpkg")).toList();
        hostile.send(new AgentMessage.SystemInventoryReport(null, report(fiveThousand, fs, 0, false)));
        assertThat(hostile.syncAndDrain()).noneMatch(m -> m instanceof ServerMessage.Refused);
        assertThat(admin.inventory(hostile.agentId).software()).hasSize(5000);

        // More entries than any machine has: refused whole, the stored inventory is untouched.
        List<Software> tooMany = IntStream.range(0, 20_001).mapToObj(i -> new Software("p" + i, "1", null, "dpkg")).toList();
        hostile.send(new AgentMessage.SystemInventoryReport(null, report(tooMany, fs, 0, false)));
        assertThat(hostile.syncAndDrain()).anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(ServerMessage.Refused.class, r -> {
            assertThat(r.error()).isEqualTo("invalid_inventory");
            assertThat(r.message()).contains("software lists 20001 entries");
        }));
        assertThat(admin.inventory(hostile.agentId).software()).hasSize(5000);

        // Terminal escapes, NUL and bidi controls in names are cleaned, not stored raw.
        hostile.send(new AgentMessage.SystemInventoryReport(null, report(List.of(
                new Software("evil\u001b[31m\u0000name\u202e", "1.0\u0007", "amd64", "dpkg")), fs, 0, false)));
        assertThat(hostile.syncAndDrain()).noneMatch(m -> m instanceof ServerMessage.Refused);
        assertThat(admin.inventory(hostile.agentId).software()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("evil\ufffd[31m\ufffdname\ufffd");
            assertThat(s.version()).isEqualTo("1.0\ufffd");
        });

        // A 100 MB frame: the connection is closed (frame too big), nothing is stored, the neighbour carries on.
        StringBuilder huge = new StringBuilder(100 * 1024 * 1024 + 200);
        huge.append("{\"type\":\"system_inventory\",\"inventory\":{\"schema_version\":1,\"software\":[{\"name\":\"");
        huge.repeat("A", 100 * 1024 * 1024);
        huge.append("\",\"version\":\"1\",\"source\":\"dpkg\"}]}}");
        try {
            hostile.socket.sendText(huge, true).get(60, TimeUnit.SECONDS);
        } catch (Exception expected) {
            // the server may close the socket while the frame is still being written
        }
        huge = null;
        assertThat(hostile.closed.get(30, TimeUnit.SECONDS)).as("close code").isIn(1009, 1006, -1);
        assertThat(admin.inventory(hostile.agentId).software()).extracting(Software::name).containsExactly("evil\ufffd[31m\ufffdname\ufffd");

        beats.interrupt();
        beats.join();
        neighbour.send(new AgentMessage.SystemInventoryReport(UUID.randomUUID(), report(List.of(new Software("curl", "7.88.1-10", "amd64", "dpkg")),
                fs, 1, false)));
        assertThat(neighbour.syncAndDrain()).noneMatch(m -> m instanceof ServerMessage.Refused);
        assertThat(server.server().registry().isOnline(neighbour.agentId)).isTrue();
        assertThat(admin.inventory(neighbour.agentId).software()).extracting(Software::name).containsExactly("curl");
    }
}

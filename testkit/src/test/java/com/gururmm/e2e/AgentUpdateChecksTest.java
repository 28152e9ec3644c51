package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.protocol.api.Checks.CheckView;
import com.gururmm.protocol.api.Checks.EffectiveCheck;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reboot-required and pending-updates checks, run by a real agent process whose inputs are
 * fixture files: the reboot marker ({@code GURURMM_REBOOT_REQUIRED_FILE}), dpkg's status file
 * ({@code GURURMM_DPKG_STATUS}, its change time is when packages last changed) and the output of
 * {@code apt-get -s upgrade} ({@code GURURMM_TEST_APT_UPGRADE_OUTPUT_FILE}, test only).
 */
class AgentUpdateChecksTest {
    private static final String PENDING = """
            Inst openssl [3.0.11-1] (3.0.13-1 Debian-Security:12/stable-security [amd64])
            Inst libssl3 [3.0.11-1] (3.0.13-1 Debian-Security:12/stable-security [amd64])
            Conf openssl (3.0.13-1 Debian-Security:12/stable-security [amd64])
            """;

    private static Fleet fleet;
    private static GuruClient admin;
    private static AgentProcess agent;
    private static UUID agentId;
    private static Path dir;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("gururmm-update-checks-");
        Files.writeString(dir.resolve("status"), "Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1\n\n");
        Files.writeString(dir.resolve("apt-upgrade.txt"), "Reading package lists...\n0 upgraded, 0 newly installed\n");
        fleet = Fleet.start(TestDatabase.Kind.H2);
        admin = fleet.admin();
        agent = fleet.track(AgentProcess.create(fleet.server().url(), fleet.server().enrollmentToken())
                .env("GURURMM_REBOOT_REQUIRED_FILE", dir.resolve("reboot-required").toString())
                .env("GURURMM_DPKG_STATUS", dir.resolve("status").toString())
                .env("GURURMM_TEST_APT_UPGRADE_OUTPUT_FILE", dir.resolve("apt-upgrade.txt").toString()));
        agentId = agent.start().awaitOnline(admin);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private static CheckView check(Map<String, Object> fields) {
        Map<String, Object> all = new java.util.HashMap<>(fields);
        all.put("agent_id", agentId.toString());
        all.put("interval_minutes", 0.02); // every 1.2 s
        return admin.createCheck(AlertsTest.request(all));
    }

    private static List<AlertView> alerts(String key) {
        return admin.alerts(Map.of("agent", agentId.toString(), "check", key));
    }

    private static EffectiveCheck effective(String key) {
        return admin.agentChecks(agentId).stream().filter(c -> c.check().key().equals(key)).findFirst().orElseThrow();
    }

    /** Results are stored when they change, so a run that read the current files is seen by its output. */
    private static void awaitOutput(String key, String output) {
        Awaitility.await(key + " -> " + output + "; agent log: " + agent.log()).atMost(Duration.ofSeconds(30)).until(() -> {
            EffectiveCheck e = effective(key);
            return e.lastOutput() != null && e.lastOutput().contains(output);
        });
    }

    @Test
    void rebootRequiredRaisesWhileTheMarkerExistsAndResolvesWhenItIsRemoved() throws IOException {
        CheckView check = check(Map.of("key", "reboot", "kind", "reboot_required", "severity", "warning"));
        awaitOutput(check.key(), "no reboot required");
        assertThat(effective(check.key()).lastStatus()).isEqualTo("ok");
        assertThat(alerts(check.key())).as("no marker, no alert").isEmpty();

        Files.writeString(dir.resolve("reboot-required"), "*** System restart required ***\n");
        Files.writeString(dir.resolve("reboot-required.pkgs"), "linux-image-amd64\n");
        Awaitility.await("agent log: " + agent.log()).atMost(Duration.ofSeconds(30)).until(() -> alerts(check.key()).size() == 1);
        AlertView alert = alerts(check.key()).get(0);
        assertThat(alert.state()).isEqualTo("open");
        assertThat(alert.severity()).as("the check's severity").isEqualTo("warning");
        assertThat(alert.message()).contains("reboot is required").contains("linux-image-amd64");

        Files.delete(dir.resolve("reboot-required"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> alerts(check.key()).get(0).state().equals("resolved"));
        assertThat(alerts(check.key())).as("one alert, raised then resolved").hasSize(1);
        admin.deleteCheck(check.id());
    }

    @Test
    void pendingUpdatesRaiseOnlyOnceTheyHaveWaitedLongerThanTheLimit() throws IOException {
        Path status = dir.resolve("status");
        Files.setLastModifiedTime(status, FileTime.from(Instant.now().minus(Duration.ofDays(40))));
        CheckView check = check(Map.of("key", "updates", "kind", "pending_updates_older_than_days", "days", 30, "severity", "critical"));
        awaitOutput(check.key(), "no pending updates");
        assertThat(effective(check.key()).lastStatus()).as("old packages but nothing pending").isEqualTo("ok");

        Files.setLastModifiedTime(status, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
        Files.writeString(dir.resolve("apt-upgrade.txt"), PENDING);
        awaitOutput(check.key(), "2 updates pending; packages changed 3 days ago");
        assertThat(effective(check.key()).lastStatus()).as("pending for 3 days, limit 30").isEqualTo("ok");
        assertThat(alerts(check.key())).isEmpty();

        Files.setLastModifiedTime(status, FileTime.from(Instant.now().minus(Duration.ofDays(45))));
        Awaitility.await("agent log: " + agent.log()).atMost(Duration.ofSeconds(30)).until(() -> alerts(check.key()).size() == 1);
        AlertView alert = alerts(check.key()).get(0);
        assertThat(alert.severity()).isEqualTo("critical");
        assertThat(alert.kind()).isEqualTo("pending_updates_older_than_days");
        assertThat(alert.message()).contains("2 updates pending").contains("unchanged for 45 days");

        Files.writeString(dir.resolve("apt-upgrade.txt"), "0 upgraded, 0 newly installed\n");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> alerts(check.key()).get(0).state().equals("resolved"));
        assertThat(alerts(check.key())).hasSize(1);
        admin.deleteCheck(check.id());
    }
}

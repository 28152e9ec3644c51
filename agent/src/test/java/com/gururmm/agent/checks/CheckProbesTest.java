package com.gururmm.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reboot-required and pending-updates probes against fixture files (the inputs the agent reads on apt-based Linux). */
class CheckProbesTest {
    @TempDir
    Path dir;

    private CheckProbes probes(String os) {
        return new CheckProbes(os, null, Map.of(
                CheckProbes.REBOOT_REQUIRED_FILE, dir.resolve("reboot-required").toString(),
                CheckProbes.DPKG_STATUS, dir.resolve("status").toString(),
                CheckProbes.TEST_APT_UPGRADE_OUTPUT_FILE, dir.resolve("apt-upgrade.txt").toString()));
    }

    private static final String TWO_PENDING = """
            Reading package lists...
            The following packages will be upgraded:
              libssl3 openssl
            Inst libssl3 [3.0.11-1] (3.0.13-1 Debian-Security:12/stable-security [amd64])
            Inst openssl [3.0.11-1] (3.0.13-1 Debian-Security:12/stable-security [amd64])
            Conf libssl3 (3.0.13-1 Debian-Security:12/stable-security [amd64])
            """;

    @Test
    void rebootRequiredFollowsTheMarkerFileAndNamesThePackages() throws IOException {
        CheckProbes linux = probes("linux");
        assertThat(linux.rebootRequired().status()).isEqualTo("ok");
        Files.writeString(dir.resolve("reboot-required"), "*** System restart required ***\n");
        Files.writeString(dir.resolve("reboot-required.pkgs"), "linux-image-amd64\nlibc6\n");
        CheckOutcome required = linux.rebootRequired();
        assertThat(required.status()).isEqualTo("critical");
        assertThat(required.output()).contains("reboot is required").contains("linux-image-amd64 libc6");
        Files.delete(dir.resolve("reboot-required"));
        assertThat(linux.rebootRequired().status()).isEqualTo("ok");
        assertThat(probes("macos").rebootRequired().status()).isEqualTo("ok");
    }

    @Test
    void pendingUpdatesAlertOnlyWhenTheyHaveWaitedLongerThanTheLimit() throws IOException {
        CheckProbes linux = probes("linux");
        Path status = Files.writeString(dir.resolve("status"), "Package: openssl\nStatus: install ok installed\n");
        Files.writeString(dir.resolve("apt-upgrade.txt"), "Reading package lists...\n0 upgraded, 0 newly installed\n");
        Files.setLastModifiedTime(status, FileTime.from(Instant.now().minus(Duration.ofDays(40))));
        assertThat(linux.pendingUpdates(30).status()).as("nothing pending, however old").isEqualTo("ok");

        Files.writeString(dir.resolve("apt-upgrade.txt"), TWO_PENDING);
        CheckOutcome old = linux.pendingUpdates(30);
        assertThat(old.status()).isEqualTo("critical");
        assertThat(old.output()).contains("2 updates pending").contains("unchanged for 40 days");
        assertThat(linux.pendingUpdates(41).status()).as("pending, but for less than the limit").isEqualTo("ok");

        Files.setLastModifiedTime(status, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        CheckOutcome fresh = linux.pendingUpdates(30);
        assertThat(fresh.status()).isEqualTo("ok");
        assertThat(fresh.output()).contains("2 updates pending; packages changed 2 days ago");

        Files.delete(status);
        assertThat(linux.pendingUpdates(30).status()).as("pending with no readable dpkg status").isEqualTo("critical");
        assertThat(probes("windows").pendingUpdates(30).status()).isEqualTo("ok");
    }

    @Test
    void onlyInstLinesCount() {
        assertThat(CheckProbes.pendingCount(TWO_PENDING)).isEqualTo(2);
        assertThat(CheckProbes.pendingCount("")).isZero();
    }
}

package com.gururmm.agent.inventory.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.gururmm.protocol.wire.SystemInventory.Service;
import com.gururmm.protocol.wire.SystemInventory.Software;
import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** dpkg status, rpm -qa, systemctl and the update tools, on output recorded from real machines. */
@Timeout(30)
class LinuxParsersTest {
    @Test
    void dpkgStatusListsInstalledPackagesOnly() throws Exception {
        List<Software> packages = DpkgStatus.parse(new BufferedReader(new StringReader(Recorded.text("dpkg-status"))));
        assertThat(packages).extracting(Software::name, Software::version, Software::arch, Software::source).containsExactly(
                tuple("bash", "5.2.15-2+b8", "amd64", "dpkg"),
                tuple("coreutils", "9.1-1", "amd64", "dpkg"),
                tuple("libc6", "2.36-9+deb12u14", "amd64", "dpkg"));
    }

    @Test
    void dpkgStatusWithoutTrailingNewlineStillListsTheLastPackage() throws Exception {
        String status = "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\nPackage: b\nStatus: install ok installed\nVersion: 2:1.0~rc1";
        assertThat(DpkgStatus.parse(new BufferedReader(new StringReader(status)))).extracting(Software::name, Software::version)
                .containsExactly(tuple("a", "1"), tuple("b", "2:1.0~rc1"));
    }

    @Test
    void rpmQueryKeepsEpochAndEveryInstalledKernelAndSkipsSigningKeys() {
        List<Software> packages = RpmQuery.parse(Recorded.text("rpm-qa.txt"));
        assertThat(packages).extracting(Software::name, Software::version, Software::arch).containsExactly(
                tuple("bash", "5.1.8-9.el9", "x86_64"),
                tuple("openssl", "1:3.0.7-27.el9", "x86_64"),
                tuple("kernel-core", "5.14.0-427.13.1.el9_4", "x86_64"),
                tuple("kernel-core", "5.14.0-362.8.1.el9_3", "x86_64"),
                tuple("tzdata", "2024a-1.el9", "noarch"));
        assertThat(packages).allSatisfy(p -> assertThat(p.source()).isEqualTo("rpm"));
    }

    @Test
    void systemctlJsonAndPlainTablesGiveTheSameServices() throws Exception {
        Map<String, String> modesJson = Systemctl.parseUnitFiles(Recorded.text("systemctl-list-unit-files.json"));
        List<Service> json = Systemctl.parseUnits(Recorded.text("systemctl-list-units.json"), modesJson);
        assertThat(json).extracting(Service::name, Service::state, Service::startMode).containsExactly(
                tuple("cron.service", "running", "enabled"),
                tuple("ssh.service", "running", "enabled"),
                tuple("nginx.service", "failed", "enabled"),
                tuple("systemd-fsck-root.service", "exited", null),
                tuple("apt-daily.service", "stopped", "static"));
        assertThat(json.get(1).displayName()).isEqualTo("OpenBSD Secure Shell server");

        Map<String, String> modesPlain = Systemctl.parseUnitFiles(Recorded.text("systemctl-list-unit-files.txt"));
        assertThat(modesPlain).containsEntry("ssh.service", "disabled").containsEntry("apt-daily.service", "static");
        List<Service> plain = Systemctl.parseUnits(Recorded.text("systemctl-list-units.txt"), modesJson);
        assertThat(plain).isEqualTo(json);
    }

    @Test
    void aptSimulationCountsUpgradesAndSecurityUpdates() {
        PendingUpdates.Pending pending = PendingUpdates.aptSimulate(Recorded.text("apt-get-s-upgrade.txt"));
        assertThat(pending.count()).isEqualTo(120);
        assertThat(pending.security()).isEqualTo(77);
        assertThat(pending.packages()).hasSize(120).contains("bash", "base-files", "libgcrypt20-dev").doesNotHaveDuplicates();
        // The "Conf" lines of the same simulation are not further updates.
        assertThat(Recorded.text("apt-get-s-upgrade.txt")).contains("\nConf bash ");
    }

    @Test
    void aptCheckReadsItsTwoCounts() {
        assertThat(PendingUpdates.aptCheck("12;3\n")).isEqualTo(new PendingUpdates.Pending(12, 3, List.of()));
    }

    @Test
    void dnfCheckUpdateStopsAtObsoletingPackages() {
        PendingUpdates.Pending pending = PendingUpdates.dnfCheckUpdate(Recorded.text("dnf-check-update.txt"));
        assertThat(pending.packages()).containsExactly("kernel", "openssl", "openssl-libs", "python3-urllib3");
        assertThat(pending.count()).isEqualTo(4);
        assertThat(pending.security()).isNull();
    }
}

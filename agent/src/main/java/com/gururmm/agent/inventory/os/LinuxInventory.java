package com.gururmm.agent.inventory.os;

import com.gururmm.protocol.wire.SystemInventory.Service;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.protocol.wire.SystemInventory.Updates;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Linux: packages from dpkg's status file and from rpm (both where both exist), systemd services,
 * pending updates from apt or dnf, the reboot flag from {@code /var/run/reboot-required}
 * (Debian/Ubuntu) or {@code needs-restarting -r} (RHEL family).
 */
public final class LinuxInventory implements OsInventory {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private final Path dpkgStatus;
    private final Path rebootRequiredFile;

    /**
     * @param dpkgStatus dpkg's status file; {@code GURURMM_DPKG_STATUS} points tests at a fixture
     */
    public LinuxInventory(Path dpkgStatus, Path rebootRequiredFile) {
        this.dpkgStatus = dpkgStatus;
        this.rebootRequiredFile = rebootRequiredFile;
    }

    public static LinuxInventory fromEnvironment(Map<String, String> env) {
        return new LinuxInventory(Path.of(env.getOrDefault("GURURMM_DPKG_STATUS", "/var/lib/dpkg/status")),
                Path.of(env.getOrDefault("GURURMM_REBOOT_REQUIRED_FILE", "/var/run/reboot-required")));
    }

    @Override
    public List<Software> software() throws IOException {
        List<Software> out = new ArrayList<>();
        boolean dpkg = Files.isRegularFile(dpkgStatus);
        if (dpkg) {
            try (BufferedReader reader = Files.newBufferedReader(dpkgStatus, StandardCharsets.UTF_8)) {
                out.addAll(DpkgStatus.parse(reader));
            }
        }
        if (Tool.exists("rpm")) {
            Tool.Result rpm = Tool.run(RpmQuery.command(), TOOL_TIMEOUT);
            if (rpm.exitCode() != 0 && !dpkg) {
                throw new IOException("rpm -qa exited " + rpm.exitCode() + ": " + rpm.stderr().strip());
            }
            out.addAll(RpmQuery.parse(rpm.stdout()));
        }
        if (!dpkg && !Tool.exists("rpm")) {
            throw new IOException("no package database found (neither " + dpkgStatus + " nor rpm)");
        }
        return out;
    }

    @Override
    public List<Service> services() throws IOException {
        if (!Tool.exists("systemctl")) {
            throw new IOException("systemctl not found; services are listed for systemd only");
        }
        Map<String, String> modes;
        Tool.Result files = Tool.run(Systemctl.unitFilesJson(), TOOL_TIMEOUT);
        if (files.exitCode() != 0 || !files.stdout().strip().startsWith("[")) {
            files = Tool.run(Systemctl.unitFilesPlain(), TOOL_TIMEOUT);
        }
        modes = Systemctl.parseUnitFiles(files.stdout());
        Tool.Result units = Tool.run(Systemctl.unitsJson(), TOOL_TIMEOUT);
        if (units.exitCode() != 0 || !units.stdout().strip().startsWith("[")) {
            units = Tool.run(Systemctl.unitsPlain(), TOOL_TIMEOUT);
        }
        if (units.exitCode() != 0) {
            throw new IOException("systemctl list-units exited " + units.exitCode() + ": " + units.stderr().strip());
        }
        return Systemctl.parseUnits(units.stdout(), modes);
    }

    @Override
    public Updates updates() throws IOException {
        Boolean reboot = null;
        String rebootSource = null;
        if (Files.exists(rebootRequiredFile)) {
            reboot = true;
            rebootSource = rebootRequiredFile.toString();
        } else if (Tool.exists("needs-restarting")) {
            Tool.Result r = Tool.run(List.of("needs-restarting", "-r"), TOOL_TIMEOUT);
            reboot = r.exitCode() == 1;
            rebootSource = "needs-restarting -r";
        } else if (Files.isRegularFile(dpkgStatus)) {
            reboot = false; // Debian's packages create the file when they need a reboot
            rebootSource = rebootRequiredFile.toString();
        }
        if (Tool.exists("/usr/lib/update-notifier/apt-check")) {
            Tool.Result r = Tool.run(List.of("/usr/lib/update-notifier/apt-check"), TOOL_TIMEOUT);
            if (r.exitCode() == 0) {
                PendingUpdates.Pending count = PendingUpdates.aptCheck(r.stderr());
                // apt-check gives counts only; the simulation adds the names for first-seen tracking
                List<String> names = Tool.exists("apt-get") ? aptSimulate().packages() : List.of();
                return new Updates("apt-check", count.count(), count.security(), names, reboot, rebootSource);
            }
        }
        if (Tool.exists("apt-get")) {
            PendingUpdates.Pending p = aptSimulate();
            return new Updates("apt", p.count(), p.security(), p.packages(), reboot, rebootSource);
        }
        if (Tool.exists("dnf")) {
            Tool.Result r = Tool.run(List.of("dnf", "check-update", "-q"), TOOL_TIMEOUT);
            if (r.exitCode() != 0 && r.exitCode() != 100) {
                throw new IOException("dnf check-update exited " + r.exitCode() + ": " + r.stderr().strip());
            }
            PendingUpdates.Pending p = PendingUpdates.dnfCheckUpdate(r.stdout());
            return new Updates("dnf", p.count(), p.security(), p.packages(), reboot, rebootSource);
        }
        return new Updates(null, null, null, List.of(), reboot, rebootSource);
    }

    private static PendingUpdates.Pending aptSimulate() throws IOException {
        // Simulation needs no root and changes nothing; it uses the package lists as last updated.
        Tool.Result r = Tool.run(List.of("apt-get", "-s", "-o", "Debug::NoLocking=true", "upgrade"), TOOL_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new IOException("apt-get -s upgrade exited " + r.exitCode() + ": " + r.stderr().strip());
        }
        return PendingUpdates.aptSimulate(r.stdout());
    }
}

package com.gururmm.agent.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxProbeTest {
    /** Real lines: "/" remounted read-only by a bind mount, on an ext4 superblock that is read-write. */
    private static final String SANDBOXED = """
            43 42 254:0 / / ro,relatime - ext4 /dev/vda rw,discard
            64 43 254:0 /tmp/st /tmp/st rw,relatime - ext4 /dev/vda rw,discard
            70 43 0:22 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
            """;
    private static final String READ_ONLY_DISK = """
            21 1 8:1 / / ro,relatime - ext4 /dev/sda1 ro,errors=remount-ro
            """;

    @Test
    void perMountReadOnlyOverAWritableSuperblockIsASandbox() {
        var note = SandboxProbe.describe(List.of("/", "/etc", "/usr"), SANDBOXED, "gururmm-agent.service");
        assertThat(note).hasValueSatisfying(n -> assertThat(n)
                .contains("systemd unit gururmm-agent.service").contains("/, /etc, /usr are read-only")
                .contains("not from the host's disks"));
    }

    @Test
    void aGenuinelyReadOnlyRootIsNotCalledASandbox() {
        assertThat(SandboxProbe.describe(List.of("/"), READ_ONLY_DISK, null)).isEmpty();
    }

    @Test
    void nothingReadOnlyMeansNoNote() {
        assertThat(SandboxProbe.describe(List.of(), SANDBOXED, null)).isEmpty();
    }

    @Test
    void findsTheServiceUnitInTheCgroupPath() {
        assertThat(SandboxProbe.serviceUnit("0::/system.slice/gururmm-agent.service\n")).isEqualTo("gururmm-agent.service");
        assertThat(SandboxProbe.serviceUnit("0::/user.slice/user-1000.slice/session-2.scope\n")).isNull();
    }
}

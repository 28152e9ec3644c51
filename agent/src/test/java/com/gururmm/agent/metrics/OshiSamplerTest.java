package com.gururmm.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.gururmm.protocol.metrics.MetricName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real sampler against what Linux itself says in /proc (skipped elsewhere). */
class OshiSamplerTest {
    @Test
    void readsTheMachinesOwnFigures() throws Exception {
        assumeThat(Files.isReadable(Path.of("/proc/meminfo"))).as("Linux /proc").isTrue();
        OshiSampler sampler = new OshiSampler();
        Thread.sleep(1100);
        Map<String, Double> sample = sampler.sample();

        long memTotalKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
        assertThat(sample.get(MetricName.MEMORY_TOTAL_BYTES)).isEqualTo(memTotalKb * 1024.0);
        double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        assertThat(sample.get(MetricName.UPTIME_SECONDS)).isCloseTo(uptime, org.assertj.core.data.Offset.offset(3.0));
        assertThat(sample.get(MetricName.CPU_PERCENT)).isBetween(0.0, 100.0);
        assertThat(sample.get(MetricName.MEMORY_PERCENT)).isBetween(0.0, 100.0);
        assertThat(sample).containsKeys(MetricName.LOAD_1, MetricName.LOAD_5, MetricName.LOAD_15, MetricName.NET_RX_BYTES_PER_SECOND,
                MetricName.NET_TX_BYTES_PER_SECOND, MetricName.USERS_COUNT, MetricName.SWAP_TOTAL_BYTES);
        assertThat(sample.get(MetricName.LOAD_1)).isCloseTo(Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]),
                org.assertj.core.data.Offset.offset(1.0));
        // Real file systems only: the root (ext4 here) is in, pseudo ones (proc, tmpfs /dev/shm) are not.
        String rootType = Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f[1].equals("/")).map(f -> f[2]).reduce((a, b) -> b).orElse("?");
        if (!OshiSampler.PSEUDO_FILESYSTEMS.contains(rootType)) {
            assertThat(sample).containsKey("disk.percent:/");
            assertThat(sample.get("disk.total_bytes:/")).isEqualTo((double) Files.getFileStore(Path.of("/")).getTotalSpace());
        }
        assertThat(sample.keySet()).noneMatch(k -> k.endsWith(":/proc") || k.endsWith(":/dev/shm") || k.endsWith(":/sys"));
        assertThat(sample.keySet()).allMatch(MetricName::isKnown);
    }
}

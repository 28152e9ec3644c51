package com.gururmm.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.wire.MetricSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsBufferTest {
    @TempDir
    Path dir;

    @Test
    void keepsTheNewestUpToItsBoundAcrossARestart() throws Exception {
        StateDir state = new StateDir(dir);
        state.prepare();
        MetricsBuffer buffer = new MetricsBuffer(state, 10);
        Instant t0 = Instant.parse("2026-03-01T12:00:00Z");
        for (int i = 0; i < 15; i++) {
            buffer.add(new MetricSample(t0.plusSeconds(60L * i), Map.of("cpu.percent", (double) i)));
        }
        assertThat(buffer.size()).isEqualTo(10);
        try (var files = Files.list(dir.resolve("metrics"))) {
            assertThat(files.count()).isEqualTo(10);
        }
        MetricsBuffer reopened = new MetricsBuffer(state, 10);
        List<MetricSample> oldest = reopened.oldest(3, Set.of());
        assertThat(oldest).extracting(s -> s.values().get("cpu.percent")).containsExactly(5.0, 6.0, 7.0);
        reopened.remove(oldest.stream().map(s -> s.at().toEpochMilli()).toList());
        assertThat(new MetricsBuffer(state, 10).size()).isEqualTo(7);
    }
}

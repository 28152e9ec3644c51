package com.gururmm.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.agent.inventory.os.OsInventory;
import com.gururmm.protocol.wire.AgentMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** When the system inventory goes out: due on connect, not resent when recent, always on request. */
@Timeout(60)
class InventoryReporterTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final BlockingQueue<AgentMessage.SystemInventoryReport> sent = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private InventoryReporter reporter(Path stamp) {
        return new InventoryReporter(new SystemInventoryCollector(OsInventory.NONE, Clock.systemUTC()), stamp,
                new InventoryReporter.Settings(Duration.ofHours(1), Duration.ZERO), timer, m -> sent.add((AgentMessage.SystemInventoryReport) m),
                Clock.systemUTC());
    }

    @Test
    void aFirstConnectReportsAtOnceAndRecordsWhen(@TempDir Path dir) throws Exception {
        Path stamp = dir.resolve("inventory-reported-at");
        reporter(stamp).onConnected();
        AgentMessage.SystemInventoryReport report = sent.poll(30, TimeUnit.SECONDS);
        assertThat(report).isNotNull();
        assertThat(report.requestId()).isNull();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.isRegularFile(stamp));
        assertThat(Instant.parse(Files.readString(stamp).trim())).isEqualTo(report.inventory().collectedAt());
    }

    @Test
    void aRecentReportIsNotRepeatedOnConnectButARequestIsAnswered(@TempDir Path dir) throws Exception {
        Path stamp = dir.resolve("inventory-reported-at");
        Files.writeString(stamp, Instant.now().minusSeconds(60) + "\n");
        InventoryReporter reporter = reporter(stamp);
        reporter.onConnected();
        assertThat(sent.poll(3, TimeUnit.SECONDS)).as("reported a minute ago, the interval is an hour").isNull();
        UUID request = UUID.randomUUID();
        reporter.onRequest(request);
        AgentMessage.SystemInventoryReport answer = sent.poll(30, TimeUnit.SECONDS);
        assertThat(answer).isNotNull();
        assertThat(answer.requestId()).isEqualTo(request);
    }

    @Test
    void settingsAreValidatedWithTheKeyInTheMessage() {
        assertThat(InventoryReporter.Settings.fromEnvironment(Map.of()))
                .isEqualTo(new InventoryReporter.Settings(Duration.ofDays(1), Duration.ofMinutes(5)));
        assertThat(InventoryReporter.Settings.fromEnvironment(Map.of("GURURMM_INVENTORY_INTERVAL_SECONDS", "3600")).interval())
                .isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> InventoryReporter.Settings.fromEnvironment(Map.of("GURURMM_INVENTORY_INTERVAL_SECONDS", "5")))
                .hasMessageContaining("GURURMM_INVENTORY_INTERVAL_SECONDS is 5");
        assertThatThrownBy(() -> InventoryReporter.Settings.fromEnvironment(Map.of("GURURMM_INVENTORY_STARTUP_DELAY_SECONDS", "soon")))
                .hasMessageContaining("GURURMM_INVENTORY_STARTUP_DELAY_SECONDS");
    }
}

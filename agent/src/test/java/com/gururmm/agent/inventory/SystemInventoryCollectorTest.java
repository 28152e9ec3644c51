package com.gururmm.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.agent.inventory.os.OsInventory;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.protocol.wire.SystemInventory.CollectorError;
import com.gururmm.protocol.wire.SystemInventory.Service;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.protocol.wire.SystemInventory.Updates;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A failing or hanging part is reported as an error and the rest of the inventory still arrives. */
@Timeout(60)
class SystemInventoryCollectorTest {
    @Test
    void aFailingAndAHangingCollectorCostOnlyTheirOwnPart() {
        OsInventory os = new OsInventory() {
            @Override
            public List<Software> software() {
                return List.of(new Software("bash", "5.2", "amd64", "dpkg"));
            }

            @Override
            public List<Service> services() throws Exception {
                throw new java.io.IOException("systemctl not found; services are listed for systemd only");
            }

            @Override
            public Updates updates() throws Exception {
                Thread.sleep(60_000);
                return null;
            }
        };
        SystemInventory inventory = new SystemInventoryCollector(os, Clock.systemUTC(), Duration.ofSeconds(2)).collect();
        assertThat(inventory.software()).extracting(Software::name).containsExactly("bash");
        assertThat(inventory.services()).isEmpty();
        assertThat(inventory.updates()).isNull();
        assertThat(inventory.errors()).extracting(CollectorError::collector).contains("services", "updates");
        assertThat(inventory.errors()).filteredOn(e -> e.collector().equals("updates")).singleElement()
                .satisfies(e -> assertThat(e.error()).contains("did not finish within 2 s"));
        // OSHI reads this machine's hardware and file systems.
        assertThat(inventory.hardware()).isNotNull();
        assertThat(inventory.hardware().memoryBytes()).isPositive();
        assertThat(inventory.hardware().cpuThreads()).isGreaterThanOrEqualTo(inventory.hardware().cpuCores()).isPositive();
        assertThat(inventory.filesystems()).isNotEmpty().allSatisfy(f -> assertThat(f.totalBytes()).isGreaterThanOrEqualTo(f.freeBytes()));
    }

    @Test
    void anOversizedSoftwareListIsCutAndSaysSo() {
        List<Software> many = IntStream.range(0, SystemInventoryCollector.MAX_SOFTWARE + 5)
                .mapToObj(i -> new Software("p" + i, "1", null, "dpkg")).toList();
        OsInventory os = new OsInventory() {
            @Override
            public List<Software> software() {
                return many;
            }

            @Override
            public List<Service> services() {
                return List.of();
            }

            @Override
            public Updates updates() {
                return null;
            }
        };
        SystemInventory inventory = new SystemInventoryCollector(os, Clock.systemUTC()).collect();
        assertThat(inventory.software()).hasSize(SystemInventoryCollector.MAX_SOFTWARE);
        assertThat(inventory.errors()).extracting(CollectorError::error).contains("listed the first 20000 of 20005 entries");
    }

    @Test
    void aReportOverTheFrameBudgetDropsServicesThenHalvesSoftwareUntilItFits() {
        List<Software> software = IntStream.range(0, 4000).mapToObj(i -> new Software("package-" + "x".repeat(200) + i, "1.0-" + i, "amd64", "dpkg")).toList();
        List<Service> services = IntStream.range(0, 100).mapToObj(i -> new Service("svc" + i + ".service", "d", "running", "enabled")).toList();
        SystemInventory big = new SystemInventory(1, java.time.Instant.now(), null, List.of(), List.of(), List.of(), software, services, null, List.of());
        int budget = 300_000;
        assertThat(SystemInventoryCollector.encodedSize(big)).isGreaterThan(budget);
        SystemInventory fitted = SystemInventoryCollector.fitting(big, budget);
        assertThat(SystemInventoryCollector.encodedSize(fitted)).isLessThanOrEqualTo(budget);
        assertThat(fitted.services()).isEmpty();
        assertThat(fitted.software()).hasSizeLessThan(4000).isNotEmpty().first().isEqualTo(software.getFirst());
        assertThat(fitted.errors()).extracting(CollectorError::collector).contains("services", "software");
        assertThat(SystemInventoryCollector.fitting(fitted, budget)).as("already fits: unchanged").isSameAs(fitted);
    }
}

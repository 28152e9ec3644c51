package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.metrics.MetricName;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.MetricSample;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The agent page draws the agent's metrics with uPlot (from its webjar), and the fleet shows the newest values. */
class DashboardMetricsTest {
    @Test
    void theAgentPageChartsItsMetricsAndTheFleetShowsTheLatest() throws Exception {
        try (DashboardBrowser browser = DashboardBrowser.open(); TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            RawAgent agent = RawAgent.enroll(server);
            agent.hello();
            // On minute boundaries, so each sample is its own point in the 1-hour chart's one-minute buckets.
            long base = Instant.now().getEpochSecond() / 60 * 60;
            List<MetricSample> samples = new ArrayList<>();
            for (int i = 31; i >= 2; i--) {
                samples.add(new MetricSample(Instant.ofEpochSecond(base - 60L * i), Map.of(MetricName.CPU_PERCENT, 20.0 + i,
                        MetricName.MEMORY_PERCENT, 61.0, "disk.percent:/", 73.0, "disk.percent:/data", 12.0, MetricName.LOAD_1, 0.5)));
            }
            samples.add(new MetricSample(Instant.ofEpochSecond(base - 60), Map.of(MetricName.CPU_PERCENT, 42.0, MetricName.MEMORY_PERCENT, 61.0,
                    "disk.percent:/", 73.0, "disk.percent:/data", 12.0)));
            agent.send(new AgentMessage.MetricsReport(UUID.randomUUID(), samples));
            assertThat(((ServerMessage.MetricsAck) agent.next()).stored()).isEqualTo(31);

            browser.login(server.url(), TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
            browser.await(By.id("main-nav"));
            By row = By.cssSelector("#agents-table tr[data-agent-id='" + agent.agentId + "']");
            browser.await(row);
            browser.awaitText(By.cssSelector("#agents-table tr[data-agent-id='" + agent.agentId + "'] td[data-metric=cpu]"), "42 %",
                    Duration.ofSeconds(15));
            assertThat(browser.textContent(By.cssSelector("#agents-table tr[data-agent-id='" + agent.agentId + "'] td[data-metric=memory]")))
                    .isEqualTo("61 %");
            assertThat(browser.textContent(By.cssSelector("#agents-table tr[data-agent-id='" + agent.agentId + "'] td[data-metric=disk]")))
                    .isEqualTo("73 %");

            browser.go(server.url(), "#/agents/" + agent.agentId);
            try {
                browser.await(By.cssSelector("[data-chart=cpu] .uplot canvas"), Duration.ofSeconds(20));
            } catch (RuntimeException e) {
                throw new AssertionError("no chart; page errors " + browser.pageErrors() + ", metrics: "
                        + browser.js("return document.querySelector('#metrics')?.innerHTML"), e);
            }
            // The chart holds the 31 CPU points the agent sent, and the disk chart one series per mount.
            assertThat(browser.js("return document.querySelector('[data-chart=cpu]').dataset.points")).isEqualTo("31");
            assertThat(browser.js("return document.querySelector('[data-chart=disk]').dataset.points")).isEqualTo("62");
            assertThat(browser.textContent(By.cssSelector("[data-chart=disk] .u-legend"))).contains("/data");
            Object drawn = browser.js("""
                    const c = document.querySelector('[data-chart=cpu] canvas');
                    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) n++;
                    return n;""");
            assertThat(((Number) drawn).longValue()).as("painted pixels on the CPU canvas").isGreaterThan(100);
            // The stylesheet and the module came from the server's webjar, not a CDN.
            assertThat(browser.js("return [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href).join(' ')").toString())
                    .contains(server.url() + "/webjars/uplot/");

            browser.await(By.cssSelector("[data-range='30d']")).click();
            new WebDriverWait(browser.driver(), Duration.ofSeconds(15)).until(d -> String.valueOf(browser.js(
                    "return document.querySelector('#metrics-source')?.textContent ?? ''")).contains("rollups"));
            browser.await(By.cssSelector("[data-chart=cpu] .uplot canvas"));
            assertThat(browser.pageErrors()).isEmpty();
            assertThat(browser.cspViolations()).isEmpty();
        }
    }
}

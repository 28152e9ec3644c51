package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.protocol.api.Checks.CheckView;
import com.gururmm.protocol.metrics.MetricName;
import com.gururmm.server.events.EventBus;
import com.gururmm.server.events.MetricsReceived;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A threshold on samples from a real agent's sampler (issue 9: "a threshold set low opens exactly
 * one alert, raising it resolves it"). Written against the {@link MetricsReceived} bus event, so it
 * holds whatever the ingestion path looks like.
 */
class RealAgentThresholdTest {
    @Test
    void aLowThresholdOnRealSamplesOpensOneAlertAndRaisingItResolvesIt() {
        try (Fleet fleet = Fleet.start(TestDatabase.Kind.H2)) {
            GuruClient admin = fleet.admin();
            EventBus bus = fleet.server().server().bus();
            List<MetricsReceived> samples = new CopyOnWriteArrayList<>();
            EventBus.Subscription sub = bus.subscribe(MetricsReceived.TOPIC, samples::add);
            AgentProcess agent = fleet.track(AgentProcess.create(fleet.server().url(), fleet.server().enrollmentToken())
                    .env("GURURMM_METRICS_INTERVAL_SECONDS", "1"));
            UUID agentId = agent.start().awaitOnline(admin);
            // The agent samples every second here: no sample within 30 s is a failure, not a reason to skip.
            Awaitility.await("a metrics sample from the real agent").atMost(Duration.ofSeconds(30))
                    .until(() -> samples.stream().anyMatch(s -> s.agentId().equals(agentId)));
            CheckView check = admin.createCheck(AlertsTest.request(Map.of("key", "real-mem", "kind", "metric_threshold",
                    "agent_id", agentId.toString(), "metric", MetricName.MEMORY_PERCENT, "operator", ">", "threshold", 0.0)));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> admin.alerts(Map.of("check", "real-mem")).size() == 1);
            int before = samples.size();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> samples.size() >= before + 5);
            List<AlertView> alerts = admin.alerts(Map.of("check", "real-mem"));
            assertThat(alerts).as("many real samples, one alert").singleElement()
                    .satisfies(a -> assertThat(a.state()).isEqualTo("open"));
            admin.updateCheck(check.id(), AlertsTest.request(Map.of("threshold", 100.0)));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                    admin.alerts(Map.of("check", "real-mem")).get(0).state().equals("resolved"));
            assertThat(admin.alerts(Map.of("check", "real-mem"))).hasSize(1);
            sub.close();
        }
    }
}

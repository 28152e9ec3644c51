package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Notifications.ChannelRequest;
import com.gururmm.protocol.api.Notifications.ChannelView;
import com.gururmm.protocol.api.Notifications.DeliveryView;
import com.gururmm.protocol.api.Notifications.RuleRequest;
import com.gururmm.server.events.AlertChanged;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Deliveries are rows: a restart resumes a pending one exactly once, and a replayed change creates nothing. H2 and PostgreSQL. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class NotificationRestartTest {
    @Parameter
    TestDatabase.Kind kind;
    private LoopbackReceiver receiver;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        receiver = new LoopbackReceiver();
        server = TestServer.start(kind, Map.of("GURURMM_NOTIFY_RETRY_SECONDS", "4", "GURURMM_NOTIFY_READ_TIMEOUT_SECONDS", "3"));
    }

    @AfterEach
    void stop() {
        server.close();
        receiver.close();
    }

    private static AlertChanged change(UUID alertId, String state) {
        return new AlertChanged(alertId, UUID.randomUUID(), "pc-1", "hq", "offline", "critical", state, "Agent offline",
                "not seen for 5 minutes", false, Instant.now());
    }

    @Test
    void aPendingDeliveryIsSentExactlyOnceAfterARestart() throws Exception {
        receiver.answer(n -> n == 0 ? LoopbackReceiver.Answer.status(503) : LoopbackReceiver.Answer.ok());
        GuruClient admin = server.adminClient();
        ChannelView channel = admin.createNotificationChannel(ChannelRequest.webhook("hook", null, receiver.url("/h").toString()));
        admin.createNotificationRule(RuleRequest.of("all", "info", null, List.of(channel.id())));
        UUID alertId = UUID.randomUUID();
        server.server().bus().publish(AlertChanged.TOPIC, change(alertId, "open"));
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.notificationDeliveries(null, alertId, null).stream()
                .anyMatch(d -> d.attempts() == 1));
        assertThat(admin.notificationDeliveries(null, alertId, "pending")).hasSize(1);

        server.stop();           // before the retry, due about 4 s after the 503
        server.startAgain();
        GuruClient again = server.adminClient();
        await().atMost(Duration.ofSeconds(15)).until(() -> again.notificationDeliveries(null, alertId, "delivered").size() == 1);
        // The same change published again on the new server's bus (a duplicate event) creates nothing.
        server.server().bus().publish(AlertChanged.TOPIC, change(alertId, "open"));
        Thread.sleep(2500);
        assertThat(receiver.received()).hasSize(2);
        assertThat(receiver.received()).extracting(r -> r.header("X-GuruRMM-Delivery")).containsOnly(
                again.notificationDeliveries(null, alertId, null).get(0).id().toString());
        DeliveryView delivered = again.notificationDeliveries(null, alertId, null).get(0);
        assertThat(delivered.attempts()).isEqualTo(2);
        assertThat(delivered.attemptLog()).extracting(a -> a.httpStatus()).containsExactly(503, 200);
    }

    @Test
    void catchUpRoutesAChangeWhoseEventNeverArrivedAndOnlyOnce() {
        GuruClient admin = server.adminClient();
        ChannelView channel = admin.createNotificationChannel(ChannelRequest.webhook("hook", null, receiver.url("/h").toString()));
        admin.createNotificationRule(RuleRequest.of("all", "info", null, List.of(channel.id())));
        UUID missed = UUID.randomUUID();
        // Stands in for the alert engine's store: the events were committed but never published.
        server.server().notifications().catchUpFrom(since -> List.of(change(missed, "open"), change(missed, "resolved"))
                .stream().filter(c -> c.at().isAfter(since)).toList());
        assertThat(server.server().notifications().catchUp()).isEqualTo(2);
        assertThat(server.server().notifications().catchUp()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 2);
        assertThat(admin.notificationDeliveries(null, missed, "delivered")).hasSize(2);
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Notifications.ChannelRequest;
import com.gururmm.protocol.api.Notifications.ChannelView;
import com.gururmm.protocol.api.Notifications.DeliveryView;
import com.gururmm.protocol.api.Notifications.RuleRequest;
import com.gururmm.protocol.api.Notifications.TestResult;
import com.gururmm.server.events.AlertChanged;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhook notifications end to end: a real server, alert changes published on its bus (as the
 * alert engine does after each commit), a real HTTP receiver on loopback.
 */
class NotificationWebhookTest {
    private TestServer server;
    private LoopbackReceiver receiver;
    private GuruClient admin;

    @BeforeEach
    void start() throws Exception {
        receiver = new LoopbackReceiver();
        server = TestServer.start(TestDatabase.Kind.H2, Map.of(
                "GURURMM_NOTIFY_RETRY_SECONDS", "0.5,1",
                "GURURMM_NOTIFY_MAX_ATTEMPTS", "4",
                "GURURMM_NOTIFY_READ_TIMEOUT_SECONDS", "3",
                "GURURMM_NOTIFY_CONNECT_TIMEOUT_SECONDS", "2"));
        admin = server.adminClient();
    }

    @AfterEach
    void stop() {
        server.close();
        receiver.close();
    }

    static AlertChanged change(UUID alertId, String site, String severity, String state, boolean silenced) {
        return new AlertChanged(alertId, UUID.randomUUID(), "host-" + alertId.toString().substring(0, 8), site, "disk:/", severity, state,
                "Disk / above 90 %", "disk / is 93 % full", silenced, Instant.now());
    }

    private ChannelView webhook(String preset, String path) {
        return admin.createNotificationChannel(ChannelRequest.webhook("hook " + path, preset, receiver.url(path).toString()));
    }

    /** HMAC-SHA256(secret, timestamp + "." + body) computed here, independently of the server's code. */
    static String expectedSignature(String secret, String timestamp, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void receiverGetsTheAlertOnceWithAValidSignature() throws Exception {
        ChannelView channel = webhook(null, "/hook");
        assertThat(channel.secret()).startsWith("grmm_whsec_");
        assertThat(admin.notificationChannels().get(0).secret()).as("the secret is shown only once").isNull();
        admin.createNotificationRule(RuleRequest.of("all warnings", "warning", null, List.of(channel.id())));

        UUID alertId = UUID.randomUUID();
        AlertChanged open = change(alertId, "hq", "critical", "open", false);
        server.server().bus().publish(AlertChanged.TOPIC, open);

        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);
        LoopbackReceiver.Received got = receiver.received().get(0);
        String timestamp = got.header("X-GuruRMM-Timestamp");
        assertThat(Math.abs(Long.parseLong(timestamp) - Instant.now().getEpochSecond())).isLessThan(30);
        assertThat(got.header("X-GuruRMM-Signature")).isEqualTo(expectedSignature(channel.secret(), timestamp, got.body()));
        assertThat(got.header("X-GuruRMM-Signature")).as("a wrong secret does not verify")
                .isNotEqualTo(expectedSignature(channel.secret() + "x", timestamp, got.body()));
        JsonNode body = Json.mapper().readTree(got.body());
        assertThat(body.get("type").asText()).isEqualTo("alert");
        assertThat(body.get("alert").get("id").asText()).isEqualTo(alertId.toString());
        assertThat(body.get("alert").get("state").asText()).isEqualTo("open");
        assertThat(body.get("alert").get("hostname").asText()).isEqualTo(open.hostname());
        assertThat(body.get("delivery_id").asText()).isEqualTo(got.header("X-GuruRMM-Delivery"));

        await().atMost(Duration.ofSeconds(5)).until(() -> admin.notificationDeliveries(channel.id(), alertId, "delivered").size() == 1);
        DeliveryView delivery = admin.notificationDeliveries(channel.id(), alertId, null).get(0);
        assertThat(delivery.attempts()).isEqualTo(1);
        assertThat(delivery.attemptLog()).singleElement().satisfies(a -> {
            assertThat(a.ok()).isTrue();
            assertThat(a.httpStatus()).isEqualTo(200);
        });

        // The same event again (a duplicate publish) sends nothing more.
        server.server().bus().publish(AlertChanged.TOPIC, open);
        Thread.sleep(1500);
        assertThat(receiver.received()).hasSize(1);
        assertThat(admin.notificationDeliveries(null, alertId, null)).hasSize(1);
    }

    @Test
    void aFailingReceiverIsRetriedWithBackOffThenLoggedAsFailedWithTheReason() throws Exception {
        // 500, 500, 500, then slower than the 3 s read timeout.
        receiver.answer(n -> n < 3 ? LoopbackReceiver.Answer.status(500) : LoopbackReceiver.Answer.slow(Duration.ofSeconds(8)));
        ChannelView channel = webhook(null, "/failing");
        admin.createNotificationRule(RuleRequest.of("all", "info", null, List.of(channel.id())));
        UUID alertId = UUID.randomUUID();
        server.server().bus().publish(AlertChanged.TOPIC, change(alertId, "hq", "warning", "open", false));

        await().atMost(Duration.ofSeconds(30)).until(() -> admin.notificationDeliveries(channel.id(), alertId, "failed").size() == 1);
        DeliveryView failed = admin.notificationDeliveries(channel.id(), alertId, null).get(0);
        assertThat(failed.attempts()).isEqualTo(4);
        assertThat(failed.attemptLog()).hasSize(4);
        assertThat(failed.attemptLog().subList(0, 3)).allSatisfy(a -> {
            assertThat(a.ok()).isFalse();
            assertThat(a.httpStatus()).isEqualTo(500);
            assertThat(a.error()).contains("HTTP 500");
        });
        var last = failed.attemptLog().get(3);
        assertThat(last.httpStatus()).isNull();
        assertThat(last.error()).contains("read timeout");
        assertThat(last.durationMs()).isBetween(2900L, 6000L);
        assertThat(failed.lastError()).contains("read timeout");
        // Back-off: 0.5 s then 1 s (the last value repeats), each ±20 %.
        List<Instant> at = failed.attemptLog().stream().map(a -> a.at()).toList();
        assertThat(Duration.between(at.get(0), at.get(1)).toMillis()).isBetween(380L, 1500L);
        assertThat(Duration.between(at.get(1), at.get(2)).toMillis()).isBetween(780L, 2500L);
        assertThat(Duration.between(at.get(2), at.get(3)).toMillis()).isBetween(780L, 2500L);
        assertThat(receiver.received()).hasSize(4);
    }

    @Test
    void aSlowChannelDoesNotHoldBackAnother() throws Exception {
        try (LoopbackReceiver slow = new LoopbackReceiver()) {
            slow.answer(n -> LoopbackReceiver.Answer.slow(Duration.ofSeconds(3)));
            ChannelView slowChannel = admin.createNotificationChannel(new ChannelRequest("slow", "webhook", null,
                    slow.url("/slow").toString(), null, null, null, null, null, null, null, 1, null, null));
            ChannelView fast = webhook(null, "/fast");
            admin.createNotificationRule(RuleRequest.of("all", "info", null, List.of(slowChannel.id(), fast.id())));
            for (int i = 0; i < 5; i++) {
                server.server().bus().publish(AlertChanged.TOPIC, change(UUID.randomUUID(), "hq", "warning", "open", false));
            }
            // The slow receiver holds its one slot for 3 s per message; the fast one gets all five meanwhile.
            await().atMost(Duration.ofSeconds(3)).until(() -> receiver.received().size() == 5);
            assertThat(slow.received().size()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void rulesRouteBySeveritySiteAndTransitionAndSilencedAlertsAreNeverSent() throws Exception {
        ChannelView channel = webhook(null, "/routed");
        admin.createNotificationRule(new RuleRequest("alpha criticals", "critical", "alpha", List.of("open", "acknowledged"),
                List.of(channel.id()), null, null, null));
        UUID sent = UUID.randomUUID();
        UUID acknowledged = sent;
        var bus = server.server().bus();
        bus.publish(AlertChanged.TOPIC, change(UUID.randomUUID(), "alpha", "warning", "open", false));   // below minimum
        bus.publish(AlertChanged.TOPIC, change(UUID.randomUUID(), "beta", "critical", "open", false));   // other site
        bus.publish(AlertChanged.TOPIC, change(UUID.randomUUID(), "alpha", "critical", "open", true));   // silenced
        bus.publish(AlertChanged.TOPIC, change(sent, "alpha", "critical", "open", false));               // sent
        bus.publish(AlertChanged.TOPIC, change(acknowledged, "alpha", "critical", "acknowledged", false)); // sent
        bus.publish(AlertChanged.TOPIC, change(sent, "alpha", "critical", "resolved", false));           // transition not chosen

        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() >= 2);
        Thread.sleep(1500);
        assertThat(receiver.received()).hasSize(2);
        List<String> states = receiver.received().stream().map(r -> {
            try {
                JsonNode alert = Json.mapper().readTree(r.body()).get("alert");
                return alert.get("id").asText() + "/" + alert.get("state").asText() + "/" + alert.get("site").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).sorted().toList();
        assertThat(states).containsExactly(sent + "/acknowledged/alpha", sent + "/open/alpha");
    }

    @Test
    void aBurstOfFiftyChangesIsOneDigestMessage() throws Exception {
        ChannelView channel = webhook("slack", "/slack");
        ChannelView generic = webhook(null, "/digest");
        admin.createNotificationRule(new RuleRequest("site digest", "warning", null, null, List.of(channel.id(), generic.id()), 10, 5, null));
        var bus = server.server().bus();
        for (int i = 0; i < 50; i++) {
            bus.publish(AlertChanged.TOPIC, new AlertChanged(UUID.randomUUID(), UUID.randomUUID(), "pc-" + i, "hq", "offline", "critical",
                    "open", "Agent offline", "not seen for 5 minutes", false, Instant.now()));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received().size() >= 2);
        Thread.sleep(1500);
        assertThat(receiver.received()).hasSize(2);
        LoopbackReceiver.Received slack = receiver.received().stream().filter(r -> r.path().equals("/slack")).findFirst().orElseThrow();
        String text = Json.mapper().readTree(slack.body()).get("text").asText();
        assertThat(text).startsWith("site hq: 50 open: Agent offline").contains("pc-0").contains("pc-49");
        LoopbackReceiver.Received json = receiver.received().stream().filter(r -> r.path().equals("/digest")).findFirst().orElseThrow();
        JsonNode digest = Json.mapper().readTree(json.body()).get("digest");
        assertThat(digest.get("count").asInt()).isEqualTo(50);
        assertThat(digest.get("site").asText()).isEqualTo("hq");
        assertThat(digest.get("alerts")).hasSize(50);
        assertThat(admin.notificationDeliveries(generic.id(), null, "delivered")).singleElement()
                .satisfies(d -> assertThat(d.kind()).isEqualTo("digest"));
    }

    @Test
    void aQuietWindowOfADigestRuleSendsEachChangeOnItsOwn() throws Exception {
        ChannelView channel = webhook(null, "/quiet");
        admin.createNotificationRule(new RuleRequest("site digest", "warning", null, null, List.of(channel.id()), 10, 5, null));
        server.server().bus().publish(AlertChanged.TOPIC, change(UUID.randomUUID(), "hq", "critical", "open", false));
        server.server().bus().publish(AlertChanged.TOPIC, change(UUID.randomUUID(), "hq", "critical", "open", false));
        Thread.sleep(2000);
        assertThat(receiver.received()).as("held while the window collects").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 2);
        assertThat(receiver.received()).allSatisfy(r -> assertThat(r.text()).contains("\"type\":\"alert\""));
    }

    @Test
    void sendTestReturnsTheAttemptAndEachPresetRendersWhatItsServiceAccepts() throws Exception {
        for (String preset : List.of("slack", "discord", "teams", "generic")) {
            ChannelView channel = webhook(preset, "/" + preset);
            TestResult result = admin.testNotificationChannel(channel.id());
            assertThat(result.ok()).as(preset).isTrue();
            assertThat(result.attempt().httpStatus()).isEqualTo(200);
            LoopbackReceiver.Received got = receiver.received().get(receiver.received().size() - 1);
            assertThat(got.header("X-GuruRMM-Signature"))
                    .isEqualTo(expectedSignature(channel.secret(), got.header("X-GuruRMM-Timestamp"), got.body()));
            JsonNode body = Json.mapper().readTree(got.body());
            switch (preset) {
                case "slack" -> assertThat(body.get("text").asText()).contains("test notification");
                case "discord" -> assertThat(body.get("content").asText()).contains("test notification");
                case "teams" -> {
                    assertThat(body.get("@type").asText()).isEqualTo("MessageCard");
                    assertThat(body.get("text").asText()).contains("test notification");
                }
                default -> assertThat(body.get("type").asText()).isEqualTo("test");
            }
            assertThat(admin.notificationDeliveries(channel.id(), null, "delivered")).singleElement()
                    .satisfies(d -> assertThat(d.kind()).isEqualTo("test"));
        }

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ChannelView dead = admin.createNotificationChannel(ChannelRequest.webhook("dead", null, "http://127.0.0.1:" + closedPort + "/x"));
        TestResult refused = admin.testNotificationChannel(dead.id());
        assertThat(refused.ok()).isFalse();
        assertThat(refused.attempt().error()).contains("connection refused");
        assertThat(admin.notificationDeliveries(dead.id(), null, "failed")).hasSize(1);
    }
}

package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Notifications.ChannelRequest;
import com.gururmm.protocol.api.Notifications.ChannelView;
import com.gururmm.protocol.api.Notifications.DeliveryView;
import com.gururmm.protocol.api.Notifications.RuleRequest;
import com.gururmm.protocol.api.Notifications.TestResult;
import com.gururmm.server.events.AlertChanged;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** E-mail notifications to a real SMTP server on loopback (GreenMail). */
class NotificationEmailTest {
    private static final String PASSWORD = "smtp-pass-Zq8!";
    private GreenMail smtp;
    private TestServer server;
    private GuruClient admin;

    @BeforeEach
    void start() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        smtp.setUser("alerts@example.test", "alerts", PASSWORD);
        server = TestServer.start(TestDatabase.Kind.H2, Map.of(
                "GURURMM_NOTIFY_RETRY_SECONDS", "0.5",
                "GURURMM_NOTIFY_MAX_ATTEMPTS", "2",
                "GURURMM_NOTIFY_READ_TIMEOUT_SECONDS", "5"));
        admin = server.adminClient();
    }

    @AfterEach
    void stop() {
        server.close();
        smtp.stop();
    }

    private int port() {
        return smtp.getSmtp().getPort();
    }

    private void publishOpen(UUID alertId, String hostname) {
        server.server().bus().publish(AlertChanged.TOPIC, new AlertChanged(alertId, UUID.randomUUID(), hostname, "hq", "disk:/",
                "critical", "open", "Disk / above 90 %", "disk / is 97 % full", false, Instant.now()));
    }

    @Test
    void anAlertArrivesAsAnEmailWithSubjectBodyAndRecipients() throws Exception {
        ChannelView channel = admin.createNotificationChannel(ChannelRequest.email("ops mail", "127.0.0.1", port(), "none", null, null,
                "gururmm@example.test", List.of("oncall@example.test", "boss@example.test")));
        admin.createNotificationRule(RuleRequest.of("mail", "warning", "hq", List.of(channel.id())));
        UUID alertId = UUID.randomUUID();
        publishOpen(alertId, "db-server-1");

        await().atMost(Duration.ofSeconds(15)).until(() -> admin.notificationDeliveries(channel.id(), alertId, null).stream()
                .anyMatch(d -> d.attempts() > 0));
        assertThat(admin.notificationDeliveries(channel.id(), alertId, null).get(0).attemptLog().get(0).error()).isNull();
        assertThat(smtp.waitForIncomingEmail(15_000, 2)).isTrue();
        MimeMessage[] messages = smtp.getReceivedMessages();
        assertThat(messages).hasSize(2); // one copy per recipient mailbox
        MimeMessage message = messages[0];
        assertThat(message.getSubject()).isEqualTo("[GuruRMM] [CRITICAL] open: Disk / above 90 % on db-server-1 (site hq)");
        assertThat(Arrays.stream(message.getRecipients(Message.RecipientType.TO)).map(Object::toString))
                .containsExactlyInAnyOrder("oncall@example.test", "boss@example.test");
        assertThat(message.getFrom()[0].toString()).isEqualTo("gururmm@example.test");
        String body = GreenMailUtil.getBody(message);
        assertThat(body).contains("db-server-1").contains("disk / is 97 % full").contains(alertId.toString());
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.notificationDeliveries(channel.id(), alertId, "delivered").size() == 1);
        DeliveryView delivery = admin.notificationDeliveries(channel.id(), alertId, null).get(0);
        assertThat(delivery.attemptLog()).singleElement().satisfies(a -> assertThat(a.reply()).startsWith("250"));
    }

    @Test
    void smtpAuthLogsInAndThePasswordIsNeverShown() throws Exception {
        ChannelView channel = admin.createNotificationChannel(ChannelRequest.email("auth mail", "127.0.0.1", port(), "none", "alerts",
                PASSWORD, "alerts@example.test", List.of("oncall@example.test")));
        assertThat(channel.smtpPasswordSet()).isTrue();
        assertThat(channel.secret()).isNull();
        TestResult result = admin.testNotificationChannel(channel.id());
        assertThat(result.ok()).as(String.valueOf(result.attempt().error())).isTrue();
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        assertThat(smtp.getReceivedMessages()[0].getSubject()).isEqualTo("[GuruRMM] Test notification");

        GuruClient.RawResponse listed = admin.raw("GET", "/api/notification-channels", null, Map.of());
        assertThat(listed.body()).doesNotContain(PASSWORD);
        assertThat(admin.audit()).anySatisfy(e -> assertThat(e.action()).isEqualTo("notification_channel.create"))
                .allSatisfy(e -> assertThat(String.valueOf(e.detail())).doesNotContain(PASSWORD));
    }

    @Test
    void aServerThatRefusesTheLoginIsAFailedDeliveryWithTheReason() throws Exception {
        ChannelView channel = admin.createNotificationChannel(ChannelRequest.email("wrong password", "127.0.0.1", port(), "none", "alerts",
                "not-the-password", "alerts@example.test", List.of("oncall@example.test")));
        admin.createNotificationRule(RuleRequest.of("mail", "info", null, List.of(channel.id())));
        UUID alertId = UUID.randomUUID();
        publishOpen(alertId, "web-1");

        await().atMost(Duration.ofSeconds(15)).until(() -> admin.notificationDeliveries(channel.id(), alertId, "failed").size() == 1);
        DeliveryView failed = admin.notificationDeliveries(channel.id(), alertId, null).get(0);
        assertThat(failed.attempts()).isEqualTo(2);
        assertThat(failed.lastError()).contains("refused the login for 'alerts'").contains("535");
        assertThat(failed.lastError()).doesNotContain("not-the-password");
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void starttlsRequiredNeverFallsBackToClearText() throws Exception {
        // GreenMail's SMTP does not offer STARTTLS: a channel that requires it must refuse to send (and to log in).
        ChannelView channel = admin.createNotificationChannel(ChannelRequest.email("tls mail", "127.0.0.1", port(), "starttls_required",
                "alerts", PASSWORD, "alerts@example.test", List.of("oncall@example.test")));
        assertThat(channel.smtpTls()).isEqualTo("starttls_required");
        TestResult result = admin.testNotificationChannel(channel.id());
        assertThat(result.ok()).isFalse();
        assertThat(result.attempt().error()).containsIgnoringCase("STARTTLS");
        assertThat(smtp.getReceivedMessages()).isEmpty();

        ChannelView optional = admin.updateNotificationChannel(channel.id(), new ChannelRequest(null, null, null, null, null, null,
                "starttls_optional", null, null, null, null, null, null, null));
        assertThat(optional.smtpTls()).isEqualTo("starttls_optional");
        assertThat(admin.testNotificationChannel(channel.id()).ok()).isTrue();
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    }
}

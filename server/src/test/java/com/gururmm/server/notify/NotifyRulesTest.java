package com.gururmm.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.server.config.ConfigException;
import com.gururmm.server.config.NotificationSettings;
import com.gururmm.server.events.AlertChanged;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Signature vector, rule matching, back-off settings and jitter. */
class NotifyRulesTest {
    @Test
    void signatureMatchesTheVectorOpensslAndPythonGive() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret (docs/OPERATIONS.md, "Verifying a webhook")
        assertThat(Signatures.sign("s3cret", 1_700_000_000L, "{\"a\":1}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940");
    }

    private static RuleStore.RuleRow rule(String minSeverity, String site, boolean open, boolean ack, boolean resolved) {
        return new RuleStore.RuleRow(UUID.randomUUID(), "r", minSeverity, site, open, ack, resolved, null, null, true, "t",
                Instant.now(), Instant.now());
    }

    private static AlertChanged change(String site, String severity, String state) {
        return new AlertChanged(UUID.randomUUID(), UUID.randomUUID(), "h", site, "c", severity, state, "t", "m", false, Instant.now());
    }

    @Test
    void rulesMatchBySeveritySiteAndTransition() {
        RuleStore.RuleRow warningHq = rule("warning", "HQ", true, false, true);
        assertThat(Routing.matches(warningHq, change("hq", "warning", "open"))).isTrue();
        assertThat(Routing.matches(warningHq, change("hq", "critical", "resolved"))).isTrue();
        assertThat(Routing.matches(warningHq, change("hq", "info", "open"))).isFalse();
        assertThat(Routing.matches(warningHq, change("branch", "critical", "open"))).isFalse();
        assertThat(Routing.matches(warningHq, change(null, "critical", "open"))).isFalse();
        assertThat(Routing.matches(warningHq, change("hq", "critical", "acknowledged"))).isFalse();
        assertThat(Routing.matches(warningHq, change("hq", "emergency", "open"))).as("unknown severity ranks highest").isTrue();
        assertThat(Routing.matches(rule("critical", null, true, true, true), change(null, "critical", "acknowledged"))).isTrue();
        RuleStore.RuleRow disabled = new RuleStore.RuleRow(UUID.randomUUID(), "r", "info", null, true, true, true, null, null, false, "t",
                Instant.now(), Instant.now());
        assertThat(Routing.matches(disabled, change("hq", "critical", "open"))).isFalse();
    }

    @Test
    void retryScheduleRepeatsItsLastWaitAndBadValuesNameTheVariable() {
        NotificationSettings s = NotificationSettings.fromMap(Map.of("GURURMM_NOTIFY_RETRY_SECONDS", "5, 30,120"));
        assertThat(s.waitAfter(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.waitAfter(3)).isEqualTo(Duration.ofSeconds(120));
        assertThat(s.waitAfter(9)).isEqualTo(Duration.ofSeconds(120));
        assertThat(NotificationSettings.defaults().maxAttempts()).isEqualTo(8);
        assertThatThrownBy(() -> NotificationSettings.fromMap(Map.of("GURURMM_NOTIFY_RETRY_SECONDS", "5,soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GURURMM_NOTIFY_RETRY_SECONDS");
        assertThatThrownBy(() -> NotificationSettings.fromMap(Map.of("GURURMM_NOTIFY_MAX_ATTEMPTS", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GURURMM_NOTIFY_MAX_ATTEMPTS");
    }

    @Test
    void jitterStaysWithinTwentyPercent() {
        for (int i = 0; i < 1000; i++) {
            assertThat(Dispatcher.jittered(Duration.ofSeconds(10)).toMillis()).isBetween(8000L, 12000L);
        }
    }

    @Test
    void presetsRenderTheShapesTheirServicesAccept() {
        Notice notice = Notice.alert(change("hq", "critical", "open"));
        UUID id = UUID.randomUUID();
        assertThat(new String(Payloads.render("slack", notice, id, Instant.now()), StandardCharsets.UTF_8)).startsWith("{\"text\":");
        assertThat(new String(Payloads.render("discord", notice, id, Instant.now()), StandardCharsets.UTF_8)).startsWith("{\"content\":");
        assertThat(new String(Payloads.render("teams", notice, id, Instant.now()), StandardCharsets.UTF_8))
                .contains("\"@type\":\"MessageCard\"").contains("\"themeColor\":\"D40E0D\"");
        assertThat(new String(Payloads.render("generic", notice, id, Instant.now()), StandardCharsets.UTF_8))
                .startsWith("{\"delivery_id\":\"" + id + "\"");
    }

    @Test
    void agentTextCannotPingOrLinkInChatPresets() throws Exception {
        // The hostname and message come from the agent; a hostile one must not mention everyone or hide a link.
        AlertChanged hostile = new AlertChanged(UUID.randomUUID(), UUID.randomUUID(), "<!channel> @everyone", "hq", "c", "critical",
                "open", "t", "[click](http://evil.example) <http://evil.example|login> <@&123>", false, Instant.now());
        Notice notice = Notice.alert(hostile);
        UUID id = UUID.randomUUID();
        var mapper = com.gururmm.protocol.Json.mapper();

        var slack = mapper.readTree(Payloads.render("slack", notice, id, Instant.now()));
        assertThat(slack.get("text").asText()).doesNotContain("<!channel>").doesNotContain("<http").contains("&lt;!channel&gt;");
        assertThat(slack.get("unfurl_links").asBoolean()).isFalse();

        var discord = mapper.readTree(Payloads.render("discord", notice, id, Instant.now()));
        assertThat(discord.get("allowed_mentions").get("parse").isEmpty()).isTrue();
        assertThat(discord.get("content").asText()).contains("\\[click\\]\\(http").contains("\\@everyone").doesNotContain("[click](");

        var teams = mapper.readTree(Payloads.render("teams", notice, id, Instant.now()));
        assertThat(teams.get("text").asText()).doesNotContain("[click](");
    }
}

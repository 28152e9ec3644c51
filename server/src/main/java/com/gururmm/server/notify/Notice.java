package com.gururmm.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import com.gururmm.server.events.AlertChanged;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What one delivery says, frozen when the delivery is created (stored as JSON in its row) so a
 * retry days later sends what was true then. This is also the {@code generic} preset's body
 * (plus {@code delivery_id} and {@code sent_at}); the other presets render it.
 *
 * @param type   {@code alert}, {@code digest} or {@code test}
 * @param text   one human-readable line: what chat presets and e-mail subjects show
 * @param alert  the alert change ({@code alert} type)
 * @param digest the collected changes ({@code digest} type)
 */
public record Notice(String type, String text, Alert alert, Digest digest, Instant at) {

    public record Alert(UUID id, UUID agentId, String hostname, String site, String checkKey, String severity, String state,
                 String title, String message, Instant at) {
        static Alert of(AlertChanged e) {
            return new Alert(e.alertId(), e.agentId(), e.hostname(), e.site(), e.checkKey(), e.severity(), e.state(),
                    e.title(), Texts.clip(e.message(), 2000), e.at());
        }

        String line() {
            return "[" + Texts.orEmpty(severity).toUpperCase(java.util.Locale.ROOT) + "] " + Texts.orEmpty(state) + ": "
                    + Texts.orEmpty(title) + " on " + Texts.orEmpty(hostname) + (site == null || site.isEmpty() ? "" : " (site " + site + ")");
        }
    }

    /**
     * @param count  how many changes the window collected ({@code alerts} lists at most {@link #MAX_LISTED})
     * @param groups e.g. {@code "50 open: Agent offline"}, most frequent first
     */
    public record Digest(String site, int count, Instant windowStart, Instant windowEnd, List<String> groups, List<Alert> alerts) {
        static final int MAX_LISTED = 100;
    }

    static Notice alert(AlertChanged e) {
        Alert a = Alert.of(e);
        return new Notice("alert", a.line() + (e.message() == null || e.message().isBlank() ? "" : " — " + Texts.clip(e.message(), 300)),
                a, null, e.at());
    }

    static Notice test(String channelName, Instant now) {
        return new Notice("test", "GuruRMM test notification for channel '" + channelName + "': if you can read this, delivery works.",
                null, null, now);
    }

    String toJson() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Notice parse(String json) {
        try {
            return Json.mapper().readValue(json, Notice.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored notification payload is not valid JSON", e);
        }
    }

    /** Subject line for e-mail. */
    String subject() {
        return switch (type) {
            case "digest" -> "[GuruRMM] " + text;
            case "test" -> "[GuruRMM] Test notification";
            default -> "[GuruRMM] " + alert.line();
        };
    }

    /** Plain-text body for e-mail and the long form for chat presets. */
    String body() {
        StringBuilder b = new StringBuilder(text).append("\n\n");
        if (alert != null) {
            b.append("Host:     ").append(Texts.orEmpty(alert.hostname())).append('\n')
                    .append("Site:     ").append(Texts.orEmpty(alert.site())).append('\n')
                    .append("Severity: ").append(Texts.orEmpty(alert.severity())).append('\n')
                    .append("State:    ").append(Texts.orEmpty(alert.state())).append('\n')
                    .append("Check:    ").append(Texts.orEmpty(alert.checkKey())).append('\n')
                    .append("At:       ").append(alert.at()).append('\n')
                    .append("Alert id: ").append(alert.id()).append('\n');
            if (alert.message() != null && !alert.message().isBlank()) {
                b.append('\n').append(alert.message()).append('\n');
            }
        }
        if (digest != null) {
            digest.groups().forEach(g -> b.append("  ").append(g).append('\n'));
            b.append('\n');
            digest.alerts().forEach(a -> b.append("- ").append(a.line()).append('\n'));
            if (digest.count() > digest.alerts().size()) {
                b.append("... and ").append(digest.count() - digest.alerts().size()).append(" more\n");
            }
        }
        return b.toString();
    }
}

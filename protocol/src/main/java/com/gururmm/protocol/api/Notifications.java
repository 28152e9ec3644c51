package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Bodies of {@code /api/notification-channels}, {@code /api/notification-rules} and
 * {@code /api/notification-deliveries} (docs/OPERATIONS.md, "Notifications").
 */
public final class Notifications {
    private Notifications() {
    }

    /**
     * Create ({@code POST}) or change ({@code PATCH}, null fields unchanged) a channel.
     *
     * @param type        {@code webhook} or {@code email} (fixed once created)
     * @param preset      webhooks: {@code generic} (default), {@code slack}, {@code teams} or {@code discord}
     * @param url         webhooks: http(s) URL the JSON is POSTed to
     * @param smtpTls     e-mail: {@code starttls_required} (default), {@code starttls_optional}, {@code tls} (implicit, port 465) or {@code none}
     * @param smtpPassword e-mail: stored for the SMTP AUTH, never returned
     * @param rotateSecret webhooks, PATCH only: mint a new signing secret (returned once)
     */
    public record ChannelRequest(String name, String type, String preset, String url,
                                 String smtpHost, Integer smtpPort, String smtpTls, String smtpUsername, String smtpPassword,
                                 String emailFrom, List<String> emailTo,
                                 Integer maxConcurrency, Boolean enabled, Boolean rotateSecret) {
        public static ChannelRequest webhook(String name, String preset, String url) {
            return new ChannelRequest(name, "webhook", preset, url, null, null, null, null, null, null, null, null, null, null);
        }

        public static ChannelRequest email(String name, String host, int port, String tls, String user, String password,
                                           String from, List<String> to) {
            return new ChannelRequest(name, "email", null, null, host, port, tls, user, password, from, to, null, null, null);
        }
    }

    /**
     * A channel as the API shows it. {@code secret} (the webhook's HMAC key) is present only in
     * the response that created or rotated it; the SMTP password is never shown.
     */
    public record ChannelView(UUID id, String name, String type, String preset, String url,
                              String smtpHost, Integer smtpPort, String smtpTls, String smtpUsername, boolean smtpPasswordSet,
                              String emailFrom, List<String> emailTo,
                              int maxConcurrency, boolean enabled, String secret,
                              String createdBy, Instant createdAt, Instant updatedAt) {
    }

    /**
     * Create or change a routing rule.
     *
     * @param minSeverity         {@code info}, {@code warning} or {@code critical}
     * @param site                only alerts of agents in this site; null or empty = every site
     * @param transitions         any of {@code open}, {@code acknowledged}, {@code resolved}; default {@code [open, resolved]}
     * @param digestThreshold     with {@code digestWindowSeconds}: more than this many changes of one site in one window become one digest
     * @param digestWindowSeconds how long a digest window collects (5..3600)
     */
    public record RuleRequest(String name, String minSeverity, String site, List<String> transitions, List<UUID> channelIds,
                              Integer digestThreshold, Integer digestWindowSeconds, Boolean enabled) {
        public static RuleRequest of(String name, String minSeverity, String site, List<UUID> channelIds) {
            return new RuleRequest(name, minSeverity, site, null, channelIds, null, null, null);
        }
    }

    public record RuleView(UUID id, String name, String minSeverity, String site, List<String> transitions, List<UUID> channelIds,
                           Integer digestThreshold, Integer digestWindowSeconds, boolean enabled,
                           String createdBy, Instant createdAt, Instant updatedAt) {
    }

    /** One send attempt: {@code httpStatus} for webhooks, {@code reply} (the SMTP server's last reply) for e-mail. */
    public record AttemptView(int attempt, Instant at, long durationMs, boolean ok, Integer httpStatus, String reply, String error) {
    }

    /**
     * One message to one channel.
     *
     * @param kind   {@code alert}, {@code digest} or {@code test}
     * @param status {@code pending} (waiting for its next attempt), {@code delivered} or {@code failed} (attempts used up)
     */
    public record DeliveryView(UUID id, UUID channelId, String kind, UUID ruleId, UUID alertId, String alertState, String site,
                               String status, int attempts, Instant nextAttemptAt, String lastError,
                               Instant createdAt, Instant completedAt, List<AttemptView> attemptLog) {
    }

    /** What {@code POST /api/notification-channels/{id}/test} returns: the test delivery and its one attempt. */
    public record TestResult(UUID deliveryId, boolean ok, AttemptView attempt) {
    }
}

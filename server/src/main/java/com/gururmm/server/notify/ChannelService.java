package com.gururmm.server.notify;

import com.gururmm.protocol.api.Notifications.AttemptView;
import com.gururmm.protocol.api.Notifications.ChannelRequest;
import com.gururmm.protocol.api.Notifications.ChannelView;
import com.gururmm.protocol.api.Notifications.TestResult;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Secrets;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Notification channels: validation, the secrets they hold, and the "send test" action. A
 * webhook's signing secret is minted here and returned once (create, or PATCH with
 * {@code rotate_secret}); an SMTP password is write-only. Neither is logged or audited.
 */
final class ChannelService {
    static final int MAX_RECIPIENTS = 50;

    private final ChannelStore store;
    private final DeliveryStore deliveries;
    private final Dispatcher dispatcher;
    private final AuditLog audit;
    private final Clock clock;

    ChannelService(ChannelStore store, DeliveryStore deliveries, Dispatcher dispatcher, AuditLog audit, Clock clock) {
        this.store = store;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.audit = audit;
        this.clock = clock;
    }

    ChannelView create(Principal actor, ChannelRequest r) {
        String name = Bodies.requireText(r.name(), "name", 200).strip();
        String type = Bodies.requireText(r.type(), "type", 20);
        Instant now = clock.instant();
        ChannelSettings settings;
        String secret;
        switch (type) {
            case "webhook" -> {
                settings = webhook(r.preset(), r.url());
                rejectEmailFields(r);
                secret = Secrets.newToken("whsec");
            }
            case "email" -> {
                if (r.url() != null || r.preset() != null) {
                    throw ApiException.badRequest("Fields 'url' and 'preset' are for webhook channels; an e-mail channel takes smtp_* and email_* fields.");
                }
                settings = email(r.smtpHost(), r.smtpPort(), r.smtpTls(), r.smtpUsername(), r.emailFrom(), r.emailTo());
                secret = password(r.smtpPassword(), settings.smtpUsername());
            }
            default -> throw ApiException.badRequest("Field 'type' must be 'webhook' or 'email'; got '" + Bodies.truncate(type) + "'.");
        }
        ChannelStore.ChannelRow row = new ChannelStore.ChannelRow(UUID.randomUUID(), name, type, settings.toJson(), secret,
                concurrency(r.maxConcurrency(), 2), r.enabled() == null || r.enabled(), actor.name(), now, now);
        store.insert(row);
        audit.record(actor.name(), "notification_channel.create", row.id().toString(), describe(row));
        return view(row, type.equals("webhook") ? secret : null);
    }

    ChannelView update(Principal actor, UUID id, ChannelRequest r) {
        ChannelStore.ChannelRow old = find(id);
        if (r.type() != null && !r.type().equals(old.kind())) {
            throw ApiException.badRequest("Field 'type' cannot change (this channel is a " + old.kind() + "); create a new channel instead.");
        }
        ChannelSettings s = old.parsed();
        String secret = old.secret();
        String shownSecret = null;
        if (old.kind().equals("webhook")) {
            rejectEmailFields(r);
            s = webhook(r.preset() != null ? r.preset() : s.preset(), r.url() != null ? r.url() : s.url());
            if (Boolean.TRUE.equals(r.rotateSecret())) {
                secret = Secrets.newToken("whsec");
                shownSecret = secret;
            }
        } else {
            if (r.url() != null || r.preset() != null || r.rotateSecret() != null) {
                throw ApiException.badRequest("Fields 'url', 'preset' and 'rotate_secret' are for webhook channels.");
            }
            s = email(r.smtpHost() != null ? r.smtpHost() : s.smtpHost(), r.smtpPort() != null ? r.smtpPort() : s.smtpPort(),
                    r.smtpTls() != null ? r.smtpTls() : s.smtpTls(), r.smtpUsername() != null ? r.smtpUsername() : s.smtpUsername(),
                    r.emailFrom() != null ? r.emailFrom() : s.emailFrom(), r.emailTo() != null ? r.emailTo() : s.emailTo());
            if (r.smtpPassword() != null) {
                secret = password(r.smtpPassword(), s.smtpUsername());
            }
        }
        String name = r.name() == null ? old.name() : Bodies.requireText(r.name(), "name", 200).strip();
        ChannelStore.ChannelRow row = new ChannelStore.ChannelRow(id, name, old.kind(), s.toJson(), secret,
                concurrency(r.maxConcurrency(), old.maxConcurrency()), r.enabled() == null ? old.enabled() : r.enabled(),
                old.createdBy(), old.createdAt(), clock.instant());
        store.update(row);
        audit.record(actor.name(), "notification_channel.update", id.toString(), describe(row)
                + (shownSecret != null ? " secret=rotated" : "") + (r.smtpPassword() != null ? " smtp_password=changed" : ""));
        return view(row, shownSecret);
    }

    void delete(Principal actor, UUID id) {
        find(id);
        store.delete(id);
        audit.record(actor.name(), "notification_channel.delete", id.toString(), null);
    }

    List<ChannelView> list() {
        return store.list().stream().map(r -> view(r, null)).toList();
    }

    ChannelView get(UUID id) {
        return view(find(id), null);
    }

    ChannelStore.ChannelRow find(UUID id) {
        return store.find(id).orElseThrow(() -> ApiException.notFound("notification channel", id));
    }

    /** Sends a test message now, once (no retry), and returns the attempt; the delivery shows in the log as kind {@code test}. */
    TestResult test(Principal actor, UUID id) {
        ChannelStore.ChannelRow channel = find(id);
        Instant now = clock.instant();
        // next_attempt_at NULL: the dispatcher never picks it up; this call makes the one attempt.
        DeliveryStore.DeliveryRow row = new DeliveryStore.DeliveryRow(UUID.randomUUID(), id, "test:" + UUID.randomUUID(), "test", null,
                null, null, null, Notice.test(channel.name(), now).toJson(), DeliveryStore.PENDING, 0, null, null, now, null);
        deliveries.insert(row);
        audit.record(actor.name(), "notification_channel.test", id.toString(), "delivery=" + row.id());
        DeliveryStore.AttemptRow a = dispatcher.attempt(channel, row, 1);
        return new TestResult(row.id(), a.ok(), view(a));
    }

    static AttemptView view(DeliveryStore.AttemptRow a) {
        return new AttemptView(a.attempt(), a.at(), a.durationMs(), a.ok(), a.httpStatus(), a.reply(), a.error());
    }

    private static ChannelSettings webhook(String preset, String url) {
        String p = preset == null ? "generic" : preset;
        if (!Payloads.PRESETS.contains(p)) {
            throw ApiException.badRequest("Field 'preset' must be one of generic, slack, teams, discord; got '" + Bodies.truncate(p) + "'.");
        }
        String u = Bodies.requireText(url, "url", 2000).strip();
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw ApiException.badRequest("Field 'url' is not a valid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.badRequest("Field 'url' must be an http:// or https:// URL; got scheme '" + Bodies.truncate(scheme) + "'.");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw ApiException.badRequest("Field 'url' has no host name.");
        }
        if (uri.getUserInfo() != null) {
            throw ApiException.badRequest("Field 'url' must not carry a user name or password; the request is signed instead.");
        }
        return new ChannelSettings(p, u, null, null, null, null, null, null);
    }

    private static void rejectEmailFields(ChannelRequest r) {
        if (r.smtpHost() != null || r.smtpPort() != null || r.smtpTls() != null || r.smtpUsername() != null || r.smtpPassword() != null
                || r.emailFrom() != null || r.emailTo() != null) {
            throw ApiException.badRequest("Fields smtp_* and email_* are for e-mail channels; a webhook channel takes 'url' and 'preset'.");
        }
    }

    private static ChannelSettings email(String host, Integer port, String tls, String user, String from, List<String> to) {
        String h = Bodies.requireText(host, "smtp_host", 255).strip();
        if (!h.matches("[A-Za-z0-9._:\\[\\]-]+")) {
            throw ApiException.badRequest("Field 'smtp_host' must be a host name or IP address; got '" + Bodies.truncate(h) + "'.");
        }
        if (port == null || port < 1 || port > 65535) {
            throw ApiException.badRequest("Field 'smtp_port' is required and must be between 1 and 65535 (587 for STARTTLS, 465 for TLS).");
        }
        String mode = tls == null ? "starttls_required" : tls;
        if (!SmtpSender.TLS_MODES.contains(mode)) {
            throw ApiException.badRequest("Field 'smtp_tls' must be starttls_required, starttls_optional, tls or none; got '"
                    + Bodies.truncate(mode) + "'.");
        }
        String u = user == null || user.isBlank() ? null : Bodies.requireText(user, "smtp_username", 320);
        String f = address(Bodies.requireText(from, "email_from", 320), "email_from");
        if (to == null || to.isEmpty()) {
            throw ApiException.badRequest("Field 'email_to' is required: a list of at least one recipient address.");
        }
        if (to.size() > MAX_RECIPIENTS) {
            throw ApiException.badRequest("Field 'email_to' lists " + to.size() + " addresses; at most " + MAX_RECIPIENTS + " are allowed.");
        }
        List<String> recipients = to.stream().map(a -> address(Bodies.requireText(a, "email_to[]", 320), "email_to")).toList();
        return new ChannelSettings(null, null, h, port, mode, u, f, recipients);
    }

    private static String address(String value, String field) {
        try {
            InternetAddress parsed = new InternetAddress(value.strip(), true);
            return parsed.getAddress();
        } catch (AddressException e) {
            throw ApiException.badRequest("Field '" + field + "' has an invalid e-mail address '" + Bodies.truncate(value) + "': " + e.getMessage());
        }
    }

    private static String password(String password, String user) {
        if (password != null && password.length() > 1000) {
            throw ApiException.badRequest("Field 'smtp_password' is longer than 1000 characters.");
        }
        if (user != null && (password == null || password.isEmpty())) {
            throw ApiException.badRequest("Field 'smtp_password' is required when 'smtp_username' is set.");
        }
        return password == null || password.isEmpty() ? null : password;
    }

    private static int concurrency(Integer requested, int fallback) {
        int value = requested == null ? fallback : requested;
        if (value < 1 || value > 16) {
            throw ApiException.badRequest("Field 'max_concurrency' must be between 1 and 16; got " + value + ".");
        }
        return value;
    }

    /** For the audit log: what changed, never a secret. */
    private static String describe(ChannelStore.ChannelRow row) {
        ChannelSettings s = row.parsed();
        return "name=" + row.name() + " type=" + row.kind() + (s.url() != null ? " preset=" + s.preset() + " url=" + redactQuery(s.url())
                : " smtp=" + s.smtpHost() + ":" + s.smtpPort() + " tls=" + s.smtpTls() + " to=" + s.emailTo()) + " enabled=" + row.enabled();
    }

    /** Slack/Discord/Teams put their credential in the URL path: keep only scheme, host and port for logs. */
    static String redactQuery(String url) {
        try {
            URI uri = new URI(url);
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/...";
        } catch (URISyntaxException e) {
            return "(invalid)";
        }
    }

    ChannelView view(ChannelStore.ChannelRow row, String secret) {
        ChannelSettings s = row.parsed();
        return new ChannelView(row.id(), row.name(), row.kind(), s.preset(), s.url(), s.smtpHost(), s.smtpPort(), s.smtpTls(),
                s.smtpUsername(), row.kind().equals("email") && row.secret() != null, s.emailFrom(), s.emailTo(),
                row.maxConcurrency(), row.enabled(), secret, row.createdBy(), row.createdAt(), row.updatedAt());
    }
}

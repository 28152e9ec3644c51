package com.gururmm.server.monitoring;

import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.api.Checks;
import com.gururmm.protocol.api.Checks.CheckRequest;
import com.gururmm.protocol.metrics.MetricName;
import com.gururmm.protocol.text.ControlChars;
import com.gururmm.server.http.ApiException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Turns a check request into settings, or refuses it with a 400 naming the field. Only the fields
 * of the request's kind are kept; the others are dropped.
 */
final class CheckValidator {
    static final int MAX_DURATION_SECONDS = 24 * 3600;
    static final double MIN_MINUTES = 0.05;
    static final double MAX_OFFLINE_MINUTES = 7 * 24 * 60;
    static final double MIN_INTERVAL_MINUTES = 0.02;
    static final double MAX_INTERVAL_MINUTES = 24 * 60;
    static final double DEFAULT_INTERVAL_MINUTES = 5;
    static final int MAX_SCRIPT_CHARS = 64 * 1024;
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9@._:\\- ]{1,200}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]]{1,253}");

    private CheckValidator() {
    }

    static String kind(String kind) {
        if (kind == null || kind.isBlank()) {
            throw bad("kind", "is required; one of " + Checks.KINDS);
        }
        if (!Checks.KINDS.contains(kind)) {
            throw bad("kind", "is '" + clip(kind) + "', which is not a check kind; use one of " + Checks.KINDS);
        }
        return kind;
    }

    static String severity(String severity, String fallback) {
        String s = severity == null ? fallback : severity;
        if (!Checks.SEVERITIES.contains(s)) {
            throw bad("severity", "is '" + clip(s) + "'; use one of " + Checks.SEVERITIES);
        }
        return s;
    }

    static String text(String value, String field, int max) {
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            throw bad(field, "is longer than " + max + " characters");
        }
        if (value.codePoints().anyMatch(ControlChars::isUnsafe)) {
            throw bad(field, "contains control characters");
        }
        return value.trim().isEmpty() ? null : value.trim();
    }

    /** The kind's settings from the request; everything the kind does not use is dropped. */
    static CheckParams params(String kind, CheckRequest r) {
        return switch (kind) {
            case "metric_threshold" -> threshold(r);
            case "agent_offline" -> new CheckParams(null, null, null, null, range(r.minutes() == null ? 10.0 : r.minutes(), "minutes",
                    MIN_MINUTES, MAX_OFFLINE_MINUTES), null, null, null, null, null, null, null, null, null, null, null);
            case "service" -> {
                String svc = required(r.service(), "service");
                if (!SERVICE.matcher(svc).matches()) {
                    throw bad("service", "must be a unit or service name (letters, digits, @ . _ : - and spaces, at most 200)");
                }
                yield agentSide(r, svc, null, null, null, null, null, null, null, null, null);
            }
            case "process" -> agentSide(r, null, text(required(r.process(), "process"), "process", 200), null, null, null, null,
                    null, null, null, null);
            case "tcp_port" -> {
                String host = required(r.host(), "host");
                if (!HOST.matcher(host).matches()) {
                    throw bad("host", "must be a host name or IP address");
                }
                if (r.port() == null || r.port() < 1 || r.port() > 65535) {
                    throw bad("port", "must be between 1 and 65535" + (r.port() == null ? " (it is required)" : "; got " + r.port()));
                }
                yield agentSide(r, null, null, host, r.port(), null, timeout(r.timeoutSeconds(), 5, 60), null, null, null, null);
            }
            case "http" -> {
                String url = required(r.url(), "url");
                try {
                    URI uri = new URI(url);
                    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null || url.length() > 2000) {
                        throw bad("url", "must be an http:// or https:// URL with a host, at most 2000 characters");
                    }
                } catch (URISyntaxException e) {
                    throw bad("url", "is not a valid URL: " + clip(e.getMessage()));
                }
                if (r.expectedStatus() != null && (r.expectedStatus() < 100 || r.expectedStatus() > 599)) {
                    throw bad("expected_status", "must be an HTTP status between 100 and 599; got " + r.expectedStatus());
                }
                yield agentSide(r, null, null, null, null, url, timeout(r.timeoutSeconds(), 10, 120), r.expectedStatus(), null, null, null);
            }
            case "pending_updates_older_than_days" -> {
                if (r.days() == null || r.days() < 1 || r.days() > 3650) {
                    throw bad("days", "must be between 1 and 3650" + (r.days() == null ? " (it is required)" : "; got " + r.days()));
                }
                yield agentSide(r, null, null, null, null, null, null, null, r.days(), null, null);
            }
            case "reboot_required" -> agentSide(r, null, null, null, null, null, null, null, null, null, null);
            case "script" -> {
                String script = r.script();
                if (script == null || script.isBlank()) {
                    throw bad("script", "is required (the script body)");
                }
                if (script.length() > MAX_SCRIPT_CHARS) {
                    throw bad("script", "is longer than " + MAX_SCRIPT_CHARS + " characters");
                }
                if (r.scriptType() == null || CommandType.parse(r.scriptType()).isEmpty()) {
                    throw bad("script_type", "must be one of " + CommandType.allowedValues()
                            + (r.scriptType() == null ? " (it is required)" : "; got '" + clip(r.scriptType()) + "'"));
                }
                yield agentSide(r, null, null, null, null, null, timeout(r.timeoutSeconds(), 60, 3600), null, null, script, r.scriptType());
            }
            default -> throw bad("kind", "is not a check kind");
        };
    }

    private static CheckParams threshold(CheckRequest r) {
        String metric = r.metric();
        if (metric == null || metric.isBlank()) {
            throw bad("metric", "is required; one of " + MetricName.FIXED + " or " + MetricName.PER_MOUNT + " followed by ':<mount>'");
        }
        if (!MetricName.isKnown(metric)) {
            throw bad("metric", "is '" + clip(metric) + "', which is not a metric agents report; use one of " + MetricName.FIXED
                    + " or " + MetricName.PER_MOUNT + " followed by ':<mount>' (e.g. disk.percent:/)");
        }
        String op = r.operator();
        if (!">".equals(op) && !"<".equals(op)) {
            throw bad("operator", "must be '>' or '<'" + (op == null ? " (it is required)" : "; got '" + clip(op) + "'"));
        }
        Double t = r.threshold();
        if (t == null || t.isNaN() || t.isInfinite()) {
            throw bad("threshold", "is required (a number)");
        }
        if (MetricName.isPercent(metric) && (t < 0 || t > 100)) {
            throw bad("threshold", "is " + Durations.number(t) + ", out of range for " + metric + ", a percentage: use 0..100");
        }
        if (t < 0 || t > 1e15) {
            throw bad("threshold", "is " + Durations.number(t) + "; use a value between 0 and 1e15");
        }
        int seconds = 0;
        if (r.duration() != null) {
            seconds = Durations.parseSeconds(r.duration()).orElseThrow(() -> bad("duration",
                    "is '" + clip(r.duration()) + "'; write it as seconds, minutes or hours, e.g. 90s, 5m, 1h"));
            if (seconds > MAX_DURATION_SECONDS) {
                throw bad("duration", "is longer than 24h");
            }
        }
        return new CheckParams(metric, op, t, seconds, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static CheckParams agentSide(CheckRequest r, String service, String process, String host, Integer port, String url,
                                         Integer timeout, Integer expected, Integer days, String script, String scriptType) {
        double interval = range(r.intervalMinutes() == null ? DEFAULT_INTERVAL_MINUTES : r.intervalMinutes(), "interval_minutes",
                MIN_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES);
        return new CheckParams(null, null, null, null, null, service, process, host, port, url, timeout, expected, days, script,
                scriptType, interval);
    }

    private static Integer timeout(Integer value, int fallback, int max) {
        int v = value == null ? fallback : value;
        if (v < 1 || v > max) {
            throw bad("timeout_seconds", "must be between 1 and " + max + "; got " + v);
        }
        return v;
    }

    private static double range(double v, String field, double min, double max) {
        if (Double.isNaN(v) || v < min || v > max) {
            throw bad(field, "must be between " + Durations.number(min) + " and " + Durations.number(max) + "; got " + Durations.number(v));
        }
        return v;
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw bad(field, "is required for this kind of check");
        }
        return value.trim();
    }

    /** The key a check gets when the request names none: kind plus what it watches. */
    static String defaultKey(String kind, String name, CheckParams p) {
        String key = switch (kind) {
            case "metric_threshold" -> kind + ":" + p.metric();
            case "service" -> "service:" + p.service();
            case "process" -> "process:" + p.process();
            case "tcp_port" -> "tcp_port:" + p.host() + ":" + p.port();
            case "http" -> "http:" + p.url();
            case "script" -> "script:" + (name != null ? name : sha(p.script()).substring(0, 12));
            default -> kind;
        };
        return key.length() > 200 ? key.substring(0, 200) : key;
    }

    private static String sha(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ApiException bad(String field, String problem) {
        return ApiException.badRequest("Field '" + field + "' " + problem + ".");
    }

    private static String clip(String value) {
        return value == null ? "null" : value.length() > 80 ? value.substring(0, 80) + "..." : value;
    }
}

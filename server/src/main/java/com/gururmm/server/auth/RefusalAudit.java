package com.gururmm.server.auth;

import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Audits refused API keys without letting the refusals flood the log: one entry per minute for
 * each (key, reason, address) — a cron job retrying a revoked key every second writes one a
 * minute, with the count of the ones not written — and at most {@link #PER_MINUTE} entries a
 * minute in all, so forged keys sprayed from many addresses cannot fill the table either. The
 * memory is bounded: past {@link #MAX_TRACKED} tracked triples the stale ones are dropped, and if
 * all are fresh, all are (the worst case is an extra entry, never an unbounded map).
 */
final class RefusalAudit {
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int PER_MINUTE = 100;
    static final int MAX_TRACKED = 10_000;

    private record Window(Instant start, int suppressed) {
    }

    private final AuditLog audit;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private Instant minuteStart = Instant.EPOCH;
    private int writtenThisMinute;

    RefusalAudit(AuditLog audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Records the refusal (unless throttled) and returns the 401 to throw.
     *
     * @param keyId the key's id when the key exists (revoked, expired...), null for an unknown one
     * @param label the key's name, or the first characters of an unknown key
     */
    ApiException refuse(UUID keyId, String label, String reason, String clientAddress, String message) {
        Instant now = clock.instant();
        String from = clientAddress == null ? "an unknown address" : clientAddress;
        String slot = (keyId == null ? "?" + label : keyId.toString()) + "|" + reason + "|" + from;
        int[] suppressedBefore = {-1};
        windows.compute(slot, (k, w) -> {
            if (w == null || !now.isBefore(w.start().plus(WINDOW))) {
                suppressedBefore[0] = w == null ? 0 : w.suppressed();
                return new Window(now, 0);
            }
            return new Window(w.start(), w.suppressed() + 1);
        });
        if (suppressedBefore[0] >= 0 && takeBudget(now)) {
            audit.record("anonymous@" + from, "auth.api_key_refused", keyId == null ? "(unknown key " + label + "...)" : keyId.toString(),
                    reason + (keyId == null ? "" : " ('" + label + "')") + ", from " + from
                            + (suppressedBefore[0] > 0 ? "; " + suppressedBefore[0] + " more refusal(s) like it in the minute before were not recorded" : ""));
        }
        if (windows.size() > MAX_TRACKED) {
            windows.values().removeIf(w -> !now.isBefore(w.start().plus(WINDOW)));
            if (windows.size() > MAX_TRACKED) {
                windows.clear();
            }
        }
        return ApiException.unauthorized(message);
    }

    private synchronized boolean takeBudget(Instant now) {
        if (!now.isBefore(minuteStart.plus(WINDOW))) {
            minuteStart = now;
            writtenThisMinute = 0;
        }
        return writtenThisMinute++ < PER_MINUTE;
    }
}

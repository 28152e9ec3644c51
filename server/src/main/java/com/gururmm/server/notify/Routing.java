package com.gururmm.server.notify;

import com.gururmm.server.events.AlertChanged;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an {@link AlertChanged} into delivery rows: the enabled rules whose minimum severity,
 * site and transitions match produce one delivery per channel (key {@code alert:<id>:<state>},
 * so two rules naming one channel send once), or add the change to a digest window. Silenced
 * changes (maintenance windows) are never notified. The whole step is one transaction with the
 * change's routed marker, so a duplicate event or a replay after restart creates nothing.
 */
final class Routing {
    private static final Logger log = LoggerFactory.getLogger(Routing.class);
    static final List<String> SEVERITIES = List.of("info", "warning", "critical");
    static final List<String> TRANSITIONS = List.of("open", "acknowledged", "resolved");

    private final RuleStore rules;
    private final DeliveryStore deliveries;
    private final DigestWindows digests;
    private final Clock clock;
    private final Runnable wake;

    Routing(RuleStore rules, DeliveryStore deliveries, DigestWindows digests, Clock clock, Runnable wake) {
        this.rules = rules;
        this.deliveries = deliveries;
        this.digests = digests;
        this.clock = clock;
        this.wake = wake;
    }

    /** Routes one change; returns whether this call created anything (false: silenced, unmatched or already routed). */
    boolean route(AlertChanged change) {
        if (change.silenced() || change.alertId() == null || change.state() == null) {
            return false;
        }
        List<RuleStore.Rule> matching = rules.list().stream().filter(r -> matches(r.row(), change)).toList();
        if (matching.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        String payload = Notice.alert(change).toJson();
        boolean routed = deliveries.routeOnce(change.alertId(), change.state(), now, h -> {
            for (RuleStore.Rule rule : matching) {
                if (rule.digest()) {
                    digests.collect(h, rule, change, now);
                } else {
                    for (UUID channel : rule.channelIds()) {
                        DeliveryStore.insertIfAbsent(h, alertDelivery(channel, rule.row().id(), change.alertId(), change.state(),
                                change.site(), payload, now));
                    }
                }
            }
        });
        if (routed) {
            wake.run();
        } else {
            log.debug("alert {} {} was routed before; nothing new", change.alertId(), change.state());
        }
        return routed;
    }

    static DeliveryStore.DeliveryRow alertDelivery(UUID channel, UUID ruleId, UUID alertId, String state, String site, String payload,
                                                   Instant now) {
        return new DeliveryStore.DeliveryRow(UUID.randomUUID(), channel, "alert:" + alertId + ":" + state, "alert", ruleId, alertId, state,
                site, payload, DeliveryStore.PENDING, 0, now, null, now, null);
    }

    static boolean matches(RuleStore.RuleRow rule, AlertChanged change) {
        if (!rule.enabled()) {
            return false;
        }
        if (rank(change.severity()) < rank(rule.minSeverity())) {
            return false;
        }
        if (rule.site() != null && !rule.site().equalsIgnoreCase(change.site() == null ? "" : change.site().trim())) {
            return false;
        }
        return switch (change.state()) {
            case "open" -> rule.onOpen();
            case "acknowledged" -> rule.onAcknowledged();
            case "resolved" -> rule.onResolved();
            default -> false;
        };
    }

    /** An unknown severity ranks highest: a new severity the alert engine adds is never silently dropped. */
    static int rank(String severity) {
        int i = severity == null ? -1 : SEVERITIES.indexOf(severity.toLowerCase(Locale.ROOT));
        return i < 0 ? SEVERITIES.size() : i;
    }
}

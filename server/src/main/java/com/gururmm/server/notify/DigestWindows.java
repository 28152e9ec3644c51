package com.gururmm.server.notify;

import com.gururmm.server.events.AlertChanged;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * Digest mode of a rule ({@code digest_threshold} N, {@code digest_window_seconds} M).
 *
 * <p>Algorithm: the first alert change that a digest rule matches for a site opens a window of M
 * seconds for (rule, site); every further matching change of that site joins it (stored as an
 * item in the same transaction that marks the change routed). When the window closes, if it
 * holds more than N changes, each of the rule's channels gets ONE digest message ("site X: 50
 * open: Agent offline", with the hosts listed, at most 100); otherwise each change is delivered
 * on its own, exactly as without digest mode. A change after the close opens the next window.
 * So a site-wide outage is one message per window, at the price of up to M seconds of delay for
 * every alert the rule matches (keep M short; route what must never wait through a rule without
 * digest). Windows and items are rows, so a restart closes a window that was open.
 */
final class DigestWindows {
    private final DeliveryStore deliveries;
    private final RuleStore rules;
    private final Clock clock;

    DigestWindows(DeliveryStore deliveries, RuleStore rules, Clock clock) {
        this.deliveries = deliveries;
        this.rules = rules;
        this.clock = clock;
    }

    static String siteKey(String site) {
        return site == null ? "" : site;
    }

    /** Adds a routed change to its (rule, site) window, opening one if none is collecting. */
    void collect(Handle h, RuleStore.Rule rule, AlertChanged change, Instant now) {
        DeliveryStore.WindowRow window = DeliveryStore.openWindow(h, rule.row().id(), siteKey(change.site()), now,
                rule.row().digestWindowSeconds());
        DeliveryStore.addItem(h, new DeliveryStore.ItemRow(window.id(), change.alertId(), change.state(),
                Notice.alert(change).toJson(), now));
    }

    /** Closes every window whose time is up and creates its deliveries; returns how many closed. */
    int closeDue() {
        int closed = 0;
        for (DeliveryStore.WindowRow window : deliveries.windowsDue(clock.instant())) {
            Optional<RuleStore.Rule> rule = rules.find(window.ruleId());
            if (rule.isEmpty()) {
                continue;
            }
            if (deliveries.closeWindow(window.id(), (h, items) -> createDeliveries(h, rule.get(), window, items))) {
                closed++;
            }
        }
        return closed;
    }

    private void createDeliveries(Handle h, RuleStore.Rule rule, DeliveryStore.WindowRow window, List<DeliveryStore.ItemRow> items) {
        Instant now = clock.instant();
        int threshold = rule.row().digestThreshold();
        if (items.size() > threshold) {
            String payload = digest(window, items).toJson();
            for (UUID channel : rule.channelIds()) {
                DeliveryStore.insertIfAbsent(h, new DeliveryStore.DeliveryRow(UUID.randomUUID(), channel, "digest:" + window.id(), "digest",
                        rule.row().id(), null, null, window.siteKey().isEmpty() ? null : window.siteKey(), payload,
                        DeliveryStore.PENDING, 0, now, null, now, null));
            }
            return;
        }
        for (DeliveryStore.ItemRow item : items) {
            Notice notice = Notice.parse(item.payload());
            for (UUID channel : rule.channelIds()) {
                DeliveryStore.insertIfAbsent(h, Routing.alertDelivery(channel, rule.row().id(), item.alertId(), item.alertState(),
                        notice.alert() == null ? null : notice.alert().site(), item.payload(), now));
            }
        }
    }

    static Notice digest(DeliveryStore.WindowRow window, List<DeliveryStore.ItemRow> items) {
        List<Notice.Alert> alerts = items.stream().map(i -> Notice.parse(i.payload()).alert()).toList();
        Map<String, Long> counts = alerts.stream().collect(Collectors.groupingBy(
                a -> Texts.orEmpty(a.state()) + ": " + Texts.orEmpty(a.title()), LinkedHashMap::new, Collectors.counting()));
        List<String> groups = counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .map(e -> e.getValue() + " " + e.getKey()).toList();
        String site = window.siteKey().isEmpty() ? "(no site)" : window.siteKey();
        String text = "site " + site + ": " + (groups.size() == 1 ? groups.get(0)
                : alerts.size() + " alert changes (" + String.join(", ", groups.subList(0, Math.min(3, groups.size())))
                  + (groups.size() > 3 ? ", ..." : "") + ")");
        Notice.Digest digest = new Notice.Digest(window.siteKey().isEmpty() ? null : window.siteKey(), alerts.size(),
                window.openedAt(), window.closesAt(), groups, alerts.subList(0, Math.min(Notice.Digest.MAX_LISTED, alerts.size())));
        return new Notice("digest", text, null, digest, window.closesAt());
    }
}

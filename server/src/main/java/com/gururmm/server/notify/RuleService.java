package com.gururmm.server.notify;

import com.gururmm.protocol.api.Notifications.RuleRequest;
import com.gururmm.protocol.api.Notifications.RuleView;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/** Routing rules: validation and audit around {@link RuleStore}; matching is in {@link Routing}. */
final class RuleService {
    private final RuleStore store;
    private final ChannelStore channels;
    private final AuditLog audit;
    private final Clock clock;

    RuleService(RuleStore store, ChannelStore channels, AuditLog audit, Clock clock) {
        this.store = store;
        this.channels = channels;
        this.audit = audit;
        this.clock = clock;
    }

    RuleView create(Principal actor, RuleRequest r) {
        Instant now = clock.instant();
        Validated v = validate(r, null);
        RuleStore.RuleRow row = new RuleStore.RuleRow(UUID.randomUUID(), v.name, v.severity, v.site, v.transitions.contains("open"),
                v.transitions.contains("acknowledged"), v.transitions.contains("resolved"), v.digestThreshold, v.digestWindow,
                r.enabled() == null || r.enabled(), actor.name(), now, now);
        store.insert(row, v.channels);
        audit.record(actor.name(), "notification_rule.create", row.id().toString(), describe(row, v.channels));
        return view(new RuleStore.Rule(row, v.channels));
    }

    RuleView update(Principal actor, UUID id, RuleRequest r) {
        RuleStore.Rule old = find(id);
        Validated v = validate(r, old);
        RuleStore.RuleRow row = new RuleStore.RuleRow(id, v.name, v.severity, v.site, v.transitions.contains("open"),
                v.transitions.contains("acknowledged"), v.transitions.contains("resolved"), v.digestThreshold, v.digestWindow,
                r.enabled() == null ? old.row().enabled() : r.enabled(), old.row().createdBy(), old.row().createdAt(), clock.instant());
        store.update(row, v.channels);
        audit.record(actor.name(), "notification_rule.update", id.toString(), describe(row, v.channels));
        return view(new RuleStore.Rule(row, v.channels));
    }

    void delete(Principal actor, UUID id) {
        find(id);
        store.delete(id);
        audit.record(actor.name(), "notification_rule.delete", id.toString(), null);
    }

    List<RuleView> list() {
        return store.list().stream().map(RuleService::view).toList();
    }

    RuleStore.Rule find(UUID id) {
        return store.find(id).orElseThrow(() -> ApiException.notFound("notification rule", id));
    }

    private record Validated(String name, String severity, String site, List<String> transitions, List<UUID> channels,
                             Integer digestThreshold, Integer digestWindow) {
    }

    /** A PATCH ({@code old} given) keeps every field left out. */
    private Validated validate(RuleRequest r, RuleStore.Rule old) {
        String name = r.name() == null && old != null ? old.row().name() : Bodies.requireText(r.name(), "name", 200).strip();
        String severity = r.minSeverity() == null ? (old != null ? old.row().minSeverity() : "warning") : r.minSeverity();
        if (!Routing.SEVERITIES.contains(severity)) {
            throw ApiException.badRequest("Field 'min_severity' must be info, warning or critical; got '" + Bodies.truncate(severity) + "'.");
        }
        String site = r.site() == null ? (old != null ? old.row().site() : null) : r.site().isBlank() ? null : r.site().strip();
        if (site != null && site.length() > 200) {
            throw ApiException.badRequest("Field 'site' is longer than 200 characters.");
        }
        List<String> transitions;
        if (r.transitions() == null) {
            transitions = old == null ? List.of("open", "resolved") : oldTransitions(old.row());
        } else {
            if (r.transitions().isEmpty()) {
                throw ApiException.badRequest("Field 'transitions' must name at least one of open, acknowledged, resolved.");
            }
            for (String t : r.transitions()) {
                if (t == null || !Routing.TRANSITIONS.contains(t)) {
                    throw ApiException.badRequest("Field 'transitions' may hold open, acknowledged and resolved; got '"
                            + Bodies.truncate(String.valueOf(t)) + "'.");
                }
            }
            transitions = List.copyOf(new LinkedHashSet<>(r.transitions()));
        }
        List<UUID> channelIds = r.channelIds() == null && old != null ? old.channelIds() : r.channelIds();
        if (channelIds == null || channelIds.isEmpty()) {
            throw ApiException.badRequest("Field 'channel_ids' is required: the channels this rule sends to.");
        }
        if (channelIds.size() > 20) {
            throw ApiException.badRequest("Field 'channel_ids' lists " + channelIds.size() + " channels; at most 20 are allowed.");
        }
        List<UUID> unique = new ArrayList<>(new LinkedHashSet<>(channelIds));
        for (UUID channel : unique) {
            if (channel == null || channels.find(channel).isEmpty()) {
                throw ApiException.badRequest("Field 'channel_ids' names " + channel + ", which is not a notification channel.");
            }
        }
        boolean patchKeepsDigest = old != null && r.digestThreshold() == null && r.digestWindowSeconds() == null;
        Integer threshold = patchKeepsDigest ? old.row().digestThreshold() : r.digestThreshold();
        Integer window = patchKeepsDigest ? old.row().digestWindowSeconds() : r.digestWindowSeconds();
        if ((threshold == null) != (window == null)) {
            throw ApiException.badRequest("Fields 'digest_threshold' and 'digest_window_seconds' go together: give both for digest mode, or neither.");
        }
        if (threshold != null && (threshold < 1 || threshold > 10_000)) {
            throw ApiException.badRequest("Field 'digest_threshold' must be between 1 and 10000; got " + threshold + ".");
        }
        if (window != null && (window < 5 || window > 3600)) {
            throw ApiException.badRequest("Field 'digest_window_seconds' must be between 5 and 3600; got " + window + ".");
        }
        return new Validated(name, severity, site, transitions, List.copyOf(unique), threshold, window);
    }

    private static List<String> oldTransitions(RuleStore.RuleRow row) {
        List<String> out = new ArrayList<>();
        if (row.onOpen()) {
            out.add("open");
        }
        if (row.onAcknowledged()) {
            out.add("acknowledged");
        }
        if (row.onResolved()) {
            out.add("resolved");
        }
        return out;
    }

    private static String describe(RuleStore.RuleRow row, List<UUID> channels) {
        return "name=" + row.name() + " min_severity=" + row.minSeverity() + " site=" + row.site() + " transitions="
                + oldTransitions(row) + " channels=" + channels + " digest=" + row.digestThreshold() + "/" + row.digestWindowSeconds()
                + "s enabled=" + row.enabled();
    }

    static RuleView view(RuleStore.Rule rule) {
        RuleStore.RuleRow r = rule.row();
        return new RuleView(r.id(), r.name(), r.minSeverity(), r.site(), oldTransitions(r), rule.channelIds(), r.digestThreshold(),
                r.digestWindowSeconds(), r.enabled(), r.createdBy(), r.createdAt(), r.updatedAt());
    }
}

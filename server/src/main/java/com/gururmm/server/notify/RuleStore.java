package com.gururmm.server.notify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code notification_rules} and the channels each rule sends to. */
final class RuleStore {
    public record RuleRow(UUID id, String name, String minSeverity, String site, boolean onOpen, boolean onAcknowledged, boolean onResolved,
                   Integer digestThreshold, Integer digestWindowSeconds, boolean enabled, String createdBy, Instant createdAt,
                   Instant updatedAt) {
    }

    /** A rule with its channels. */
    public record Rule(RuleRow row, List<UUID> channelIds) {
        boolean digest() {
            return row.digestThreshold() != null && row.digestWindowSeconds() != null;
        }
    }

    private final Jdbi jdbi;

    RuleStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insert(RuleRow row, List<UUID> channelIds) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO notification_rules (id, name, min_severity, site, on_open, on_acknowledged, on_resolved,
                                   digest_threshold, digest_window_seconds, enabled, created_by, created_at, updated_at)
                            VALUES (:id, :name, :minSeverity, :site, :onOpen, :onAcknowledged, :onResolved,
                                   :digestThreshold, :digestWindowSeconds, :enabled, :createdBy, :createdAt, :updatedAt)""")
                    .bindMethods(row).execute();
            writeChannels(h, row.id(), channelIds);
        });
    }

    void update(RuleRow row, List<UUID> channelIds) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            UPDATE notification_rules SET name = :name, min_severity = :minSeverity, site = :site, on_open = :onOpen,
                                   on_acknowledged = :onAcknowledged, on_resolved = :onResolved, digest_threshold = :digestThreshold,
                                   digest_window_seconds = :digestWindowSeconds, enabled = :enabled, updated_at = :updatedAt
                            WHERE id = :id""")
                    .bindMethods(row).execute();
            h.createUpdate("DELETE FROM notification_rule_channels WHERE rule_id = :id").bind("id", row.id()).execute();
            writeChannels(h, row.id(), channelIds);
        });
    }

    private static void writeChannels(Handle h, UUID ruleId, List<UUID> channelIds) {
        for (UUID channel : channelIds) {
            h.createUpdate("INSERT INTO notification_rule_channels (rule_id, channel_id) VALUES (:rule, :channel)")
                    .bind("rule", ruleId).bind("channel", channel).execute();
        }
    }

    boolean delete(UUID id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM notification_rules WHERE id = :id").bind("id", id).execute()) == 1;
    }

    Optional<Rule> find(UUID id) {
        return list().stream().filter(r -> r.row().id().equals(id)).findFirst();
    }

    /** Every rule with its channels (rules are few: an operator writes them by hand). */
    List<Rule> list() {
        return jdbi.withHandle(h -> {
            List<RuleRow> rows = h.createQuery("SELECT * FROM notification_rules ORDER BY created_at, id").mapTo(RuleRow.class).list();
            Map<UUID, List<UUID>> channels = new HashMap<>();
            h.createQuery("SELECT rule_id, channel_id FROM notification_rule_channels ORDER BY channel_id")
                    .map((rs, ctx) -> Map.entry(rs.getObject("rule_id", UUID.class), rs.getObject("channel_id", UUID.class)))
                    .forEach(e -> channels.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            return rows.stream().map(r -> new Rule(r, List.copyOf(channels.getOrDefault(r.id(), List.of())))).toList();
        });
    }
}

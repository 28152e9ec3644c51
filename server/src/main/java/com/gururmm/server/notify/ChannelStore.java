package com.gururmm.server.notify;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;

/** SQL for {@code notification_channels}. */
final class ChannelStore {
    /**
     * @param settings JSON of {@link ChannelSettings}
     * @param secret   webhook HMAC key or SMTP password; never leaves the server after creation
     */
    public record ChannelRow(UUID id, String name, String kind, String settings, String secret, int maxConcurrency, boolean enabled,
                      String createdBy, Instant createdAt, Instant updatedAt) {
        ChannelSettings parsed() {
            return ChannelSettings.parse(settings);
        }
    }

    private final Jdbi jdbi;

    ChannelStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A failing statement's message would list its bound values, the secret among them: keep values out of it. */
    private static Handle quiet(Handle h) {
        h.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        return h;
    }

    void insert(ChannelRow row) {
        jdbi.useHandle(h -> quiet(h).createUpdate("""
                        INSERT INTO notification_channels (id, name, kind, settings, secret, max_concurrency, enabled, created_by,
                                                           created_at, updated_at)
                        VALUES (:id, :name, :kind, :settings, :secret, :maxConcurrency, :enabled, :createdBy, :createdAt, :updatedAt)""")
                .bindMethods(row).execute());
    }

    void update(ChannelRow row) {
        jdbi.useHandle(h -> quiet(h).createUpdate("""
                        UPDATE notification_channels SET name = :name, settings = :settings, secret = :secret,
                               max_concurrency = :maxConcurrency, enabled = :enabled, updated_at = :updatedAt
                        WHERE id = :id""")
                .bindMethods(row).execute());
    }

    boolean delete(UUID id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM notification_channels WHERE id = :id").bind("id", id).execute()) == 1;
    }

    Optional<ChannelRow> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM notification_channels WHERE id = :id")
                .bind("id", id).mapTo(ChannelRow.class).findOne());
    }

    List<ChannelRow> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM notification_channels ORDER BY created_at, id")
                .mapTo(ChannelRow.class).list());
    }
}

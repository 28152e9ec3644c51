package com.gururmm.server.automation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code scripts}, {@code script_versions} and {@code script_runs}. */
final class ScriptStore {
    private final Jdbi jdbi;

    ScriptStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record ScriptRow(UUID id, String name, String nameKey, int currentVersion, String createdBy, Instant createdAt, String updatedBy,
                     Instant updatedAt, Instant deletedAt) {
    }

    /** One version as stored: {@code parameters} a JSON array, {@code supportedOs} comma-separated or null (every OS). */
    public record VersionRow(UUID scriptId, int version, String name, String description, String category, String commandType, String body,
                      String parameters, int timeoutSeconds, String context, String supportedOs, String createdBy, Instant createdAt) {
    }

    public record RunRow(UUID batchId, UUID scriptId, int scriptVersion, String parameters, UUID scheduleId, String createdBy,
                  Instant createdAt) {
    }

    Jdbi jdbi() {
        return jdbi;
    }

    void insertScript(Handle h, ScriptRow row) {
        h.createUpdate("""
                        INSERT INTO scripts (id, name, name_key, current_version, created_by, created_at, updated_by, updated_at)
                        VALUES (:id, :name, :nameKey, :currentVersion, :createdBy, :createdAt, :updatedBy, :updatedAt)""")
                .bindMethods(row).execute();
    }

    void insertVersion(Handle h, VersionRow row) {
        h.createUpdate("""
                        INSERT INTO script_versions (script_id, version, name, description, category, command_type, body, parameters,
                                                     timeout_seconds, context, supported_os, created_by, created_at)
                        VALUES (:scriptId, :version, :name, :description, :category, :commandType, :body, :parameters,
                                :timeoutSeconds, :context, :supportedOs, :createdBy, :createdAt)""")
                .bindMethods(row).execute();
    }

    /** Moves the script to {@code version} if it is still at {@code expected} (two concurrent edits: one wins). */
    boolean advance(Handle h, UUID id, int expected, int version, String name, String nameKey, String by, Instant at) {
        return h.createUpdate("""
                        UPDATE scripts SET current_version = :version, name = :name, name_key = :nameKey, updated_by = :by, updated_at = :at
                        WHERE id = :id AND current_version = :expected AND deleted_at IS NULL""")
                .bind("id", id).bind("expected", expected).bind("version", version).bind("name", name).bind("nameKey", nameKey)
                .bind("by", by).bind("at", at).execute() == 1;
    }

    boolean markDeleted(UUID id, String by, Instant at) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE scripts SET deleted_at = :at, updated_by = :by WHERE id = :id AND deleted_at IS NULL")
                .bind("id", id).bind("by", by).bind("at", at).execute()) == 1;
    }

    Optional<ScriptRow> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM scripts WHERE id = :id AND deleted_at IS NULL")
                .bind("id", id).mapTo(ScriptRow.class).findOne());
    }

    /** Also a deleted script: its runs and schedules still name it. */
    Optional<ScriptRow> findAny(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM scripts WHERE id = :id")
                .bind("id", id).mapTo(ScriptRow.class).findOne());
    }

    Optional<ScriptRow> findByName(String nameKey) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM scripts WHERE name_key = :k AND deleted_at IS NULL")
                .bind("k", nameKey).mapTo(ScriptRow.class).findOne());
    }

    Optional<VersionRow> version(UUID id, int version) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM script_versions WHERE script_id = :id AND version = :v")
                .bind("id", id).bind("v", version).mapTo(VersionRow.class).findOne());
    }

    List<VersionRow> versions(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM script_versions WHERE script_id = :id ORDER BY version DESC")
                .bind("id", id).mapTo(VersionRow.class).list());
    }

    /** The current version of every live script, by name. */
    List<VersionRow> current() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT v.* FROM scripts s JOIN script_versions v ON v.script_id = s.id AND v.version = s.current_version
                        WHERE s.deleted_at IS NULL ORDER BY s.name_key""")
                .mapTo(VersionRow.class).list());
    }

    void insertRun(Handle h, RunRow row) {
        h.createUpdate("""
                        INSERT INTO script_runs (batch_id, script_id, script_version, parameters, schedule_id, created_by, created_at)
                        VALUES (:batchId, :scriptId, :scriptVersion, :parameters, CAST(:scheduleId AS UUID), :createdBy, :createdAt)""")
                .bindMethods(row).execute();
    }

    List<RunRow> runs(UUID scriptId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM script_runs WHERE script_id = :id ORDER BY created_at DESC LIMIT :limit")
                .bind("id", scriptId).bind("limit", limit).mapTo(RunRow.class).list());
    }

    Optional<RunRow> run(UUID batchId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM script_runs WHERE batch_id = :id")
                .bind("id", batchId).mapTo(RunRow.class).findOne());
    }
}

package com.gururmm.server.automation;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code policies}, {@code policy_checks}, {@code policy_assignments}, {@code policy_exclusions}. */
final class PolicyStore {
    private final Jdbi jdbi;

    PolicyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record PolicyRow(UUID id, String name, String nameKey, String description, String createdBy, Instant createdAt, Instant updatedAt) {
    }

    public record CheckRow(UUID id, UUID policyId, String checkKey, String definition) {
    }

    public record AssignmentRow(UUID id, UUID policyId, String level, UUID clientId, UUID siteId, String placeKey, String createdBy,
                                Instant createdAt) {
    }

    public record ExclusionRow(UUID policyId, UUID agentId, String createdBy, Instant createdAt) {
    }

    /** A live agent with where it is. */
    public record AgentPlace(UUID id, String os, boolean serverHost, UUID siteId, UUID clientId) {
    }

    Jdbi jdbi() {
        return jdbi;
    }

    List<PolicyRow> policies() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM policies ORDER BY name_key").mapTo(PolicyRow.class).list());
    }

    List<CheckRow> checks() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM policy_checks ORDER BY policy_id, check_key").mapTo(CheckRow.class).list());
    }

    List<AssignmentRow> assignments() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM policy_assignments ORDER BY created_at, id").mapTo(AssignmentRow.class).list());
    }

    List<ExclusionRow> exclusions() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM policy_exclusions").mapTo(ExclusionRow.class).list());
    }

    List<AgentPlace> agents() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT a.id, a.os, a.server_host, a.site_id, s.client_id FROM agents a JOIN sites s ON s.id = a.site_id
                        WHERE a.retired_at IS NULL""").mapTo(AgentPlace.class).list());
    }

    List<UUID> sitesOfClient(UUID clientId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM sites WHERE client_id = :c").bind("c", clientId).mapTo(UUID.class).list());
    }

    boolean clientExists(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM clients WHERE id = :id").bind("id", id).mapTo(Long.class).one() > 0);
    }

    boolean siteExists(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM sites WHERE id = :id").bind("id", id).mapTo(Long.class).one() > 0);
    }

    void insert(Handle h, PolicyRow row) {
        h.createUpdate("""
                        INSERT INTO policies (id, name, name_key, description, created_by, created_at, updated_at)
                        VALUES (:id, :name, :nameKey, :description, :createdBy, :createdAt, :updatedAt)""").bindMethods(row).execute();
    }

    void update(Handle h, PolicyRow row) {
        h.createUpdate("UPDATE policies SET name = :name, name_key = :nameKey, description = :description, updated_at = :updatedAt WHERE id = :id")
                .bindMethods(row).execute();
    }

    void replaceChecks(Handle h, UUID policyId, List<CheckRow> checks) {
        h.createUpdate("DELETE FROM policy_checks WHERE policy_id = :p").bind("p", policyId).execute();
        for (CheckRow c : checks) {
            h.createUpdate("INSERT INTO policy_checks (id, policy_id, check_key, definition) VALUES (:id, :policyId, :checkKey, :definition)")
                    .bindMethods(c).execute();
        }
    }

    void deleteTasks(Handle h, UUID policyId) {
        h.createUpdate("DELETE FROM schedules WHERE policy_id = :p").bind("p", policyId).execute();
    }

    boolean delete(UUID id) {
        return jdbi.inTransaction(h -> {
            deleteTasks(h, id);
            return h.createUpdate("DELETE FROM policies WHERE id = :id").bind("id", id).execute() == 1;
        });
    }

    void insertAssignment(AssignmentRow row) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO policy_assignments (id, policy_id, level, client_id, site_id, place_key, created_by, created_at)
                        VALUES (:id, :policyId, :level, CAST(:clientId AS UUID), CAST(:siteId AS UUID), :placeKey, :createdBy, :createdAt)""")
                .bindMethods(row).execute());
    }

    boolean deleteAssignment(UUID policyId, UUID id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM policy_assignments WHERE id = :id AND policy_id = :p")
                .bind("id", id).bind("p", policyId).execute()) == 1;
    }

    void insertExclusion(ExclusionRow row) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO policy_exclusions (policy_id, agent_id, created_by, created_at) VALUES (:policyId, :agentId, :createdBy, :createdAt)")
                .bindMethods(row).execute());
    }

    boolean deleteExclusion(UUID policyId, UUID agentId) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM policy_exclusions WHERE policy_id = :p AND agent_id = :a")
                .bind("p", policyId).bind("a", agentId).execute()) == 1;
    }
}

package com.gururmm.server.tenancy;

import com.gururmm.protocol.api.Tenancy.ClientView;
import com.gururmm.protocol.api.Tenancy.SiteView;
import com.gururmm.server.auth.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code clients} and {@code sites}. Listings are filtered by the caller's {@link Scope} in SQL. */
public final class TenancyStore {
    /** Created by migration V35; every agent of an upgraded server started here. Never deleted. */
    public static final UUID DEFAULT_CLIENT = UUID.fromString("00000000-0000-0000-0000-00000000c001");
    public static final UUID DEFAULT_SITE = UUID.fromString("00000000-0000-0000-0000-00000000a001");

    public record SiteRow(UUID id, UUID clientId, String clientName, String name) {
    }

    private final Jdbi jdbi;

    public TenancyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    public List<ClientView> clients(Scope scope) {
        // Counts are of what the caller may see, so a site-scoped technician learns nothing of other sites.
        return jdbi.withHandle(h -> h.createQuery("SELECT c.id, c.name, c.created_at, "
                        + "(SELECT COUNT(*) FROM sites s WHERE s.client_id = c.id AND " + scope.sitesSql("s.id") + ") AS site_count, "
                        + "(SELECT COUNT(*) FROM agents a JOIN sites s ON s.id = a.site_id WHERE s.client_id = c.id AND a.retired_at IS NULL AND "
                        + scope.sitesSql("a.site_id") + ") AS agent_count "
                        + "FROM clients c WHERE " + scope.clientsSql("c.id") + " ORDER BY c.name_key")
                .map((rs, ctx) -> new ClientView(rs.getObject("id", UUID.class), rs.getString("name"), rs.getInt("site_count"),
                        rs.getInt("agent_count"), rs.getObject("created_at", java.time.OffsetDateTime.class).toInstant()))
                .list());
    }

    public Optional<ClientView> client(UUID id, Scope scope) {
        return clients(scope).stream().filter(c -> c.id().equals(id)).findFirst();
    }

    public boolean clientExists(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM clients WHERE id = :id").bind("id", id).mapTo(Long.class).one()) > 0;
    }

    public Optional<String> clientName(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT name FROM clients WHERE id = :id").bind("id", id).mapTo(String.class).findOne());
    }

    public boolean clientNameTaken(String name, UUID except) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM clients WHERE name_key = :key AND (CAST(:except AS UUID) IS NULL OR id <> CAST(:except AS UUID))")
                .bind("key", key(name)).bind("except", except).mapTo(Long.class).one()) > 0;
    }

    public void insertClient(UUID id, String name, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO clients (id, name, name_key, created_at) VALUES (:id, :name, :key, :now)")
                .bind("id", id).bind("name", name).bind("key", key(name)).bind("now", now).execute());
    }

    public void renameClient(UUID id, String name) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE clients SET name = :name, name_key = :key WHERE id = :id")
                .bind("id", id).bind("name", name).bind("key", key(name)).execute());
    }

    /** Agents (retired ones too: they keep their site) in client {@code id}'s sites. */
    public long agentsInClient(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM agents a JOIN sites s ON s.id = a.site_id WHERE s.client_id = :id")
                .bind("id", id).mapTo(Long.class).one());
    }

    public long agentsInSite(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM agents WHERE site_id = :id").bind("id", id).mapTo(Long.class).one());
    }

    /** Deletes the client and its (empty) sites; their enrollment tokens and scope grants go with them. Returns the sites deleted. */
    public int deleteClient(UUID id) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("DELETE FROM user_scopes WHERE client_id = :id OR site_id IN (SELECT s.id FROM sites s WHERE s.client_id = :id)")
                    .bind("id", id).execute();
            h.createUpdate("DELETE FROM enrollment_tokens WHERE site_id IN (SELECT s.id FROM sites s WHERE s.client_id = :id)")
                    .bind("id", id).execute();
            int sites = h.createUpdate("DELETE FROM sites WHERE client_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM clients WHERE id = :id").bind("id", id).execute();
            return sites;
        });
    }

    public List<SiteView> sites(UUID clientId, Scope scope) {
        return jdbi.withHandle(h -> h.createQuery("SELECT s.id, s.client_id, c.name AS client_name, s.name, s.created_at, "
                        + "(SELECT COUNT(*) FROM agents a WHERE a.site_id = s.id AND a.retired_at IS NULL) AS agent_count "
                        + "FROM sites s JOIN clients c ON c.id = s.client_id "
                        + "WHERE (CAST(:client AS UUID) IS NULL OR s.client_id = CAST(:client AS UUID)) AND " + scope.sitesSql("s.id")
                        + " ORDER BY c.name_key, s.name_key")
                .bind("client", clientId)
                .map((rs, ctx) -> new SiteView(rs.getObject("id", UUID.class), rs.getObject("client_id", UUID.class),
                        rs.getString("client_name"), rs.getString("name"), rs.getInt("agent_count"),
                        rs.getObject("created_at", java.time.OffsetDateTime.class).toInstant()))
                .list());
    }

    public Optional<SiteRow> site(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT s.id, s.client_id, c.name AS client_name, s.name FROM sites s JOIN clients c ON c.id = s.client_id
                        WHERE s.id = :id""")
                .bind("id", id).mapTo(SiteRow.class).findOne());
    }

    public Optional<SiteRow> siteByName(UUID clientId, String name) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT s.id, s.client_id, c.name AS client_name, s.name FROM sites s JOIN clients c ON c.id = s.client_id
                        WHERE s.client_id = :client AND s.name_key = :key""")
                .bind("client", clientId).bind("key", key(name)).mapTo(SiteRow.class).findOne());
    }

    public boolean siteNameTaken(UUID clientId, String name, UUID except) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM sites WHERE client_id = :client AND name_key = :key "
                        + "AND (CAST(:except AS UUID) IS NULL OR id <> CAST(:except AS UUID))")
                .bind("client", clientId).bind("key", key(name)).bind("except", except).mapTo(Long.class).one()) > 0;
    }

    public void insertSite(UUID id, UUID clientId, String name, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO sites (id, client_id, name, name_key, created_at) VALUES (:id, :client, :name, :key, :now)")
                .bind("id", id).bind("client", clientId).bind("name", name).bind("key", key(name)).bind("now", now).execute());
    }

    /** Renames the site and the name copy its agents carry (agents.site), in one transaction. */
    public void renameSite(UUID id, String name) {
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE sites SET name = :name, name_key = :key WHERE id = :id")
                    .bind("id", id).bind("name", name).bind("key", key(name)).execute();
            h.createUpdate("UPDATE agents SET site = :name WHERE site_id = :id").bind("id", id).bind("name", name).execute();
            h.createUpdate("UPDATE enrollment_tokens SET site = :name WHERE site_id = :id").bind("id", id).bind("name", name).execute();
        });
    }

    /** Deletes an empty site; its enrollment tokens and scope grants go with it. Returns the tokens deleted. */
    public int deleteSite(UUID id) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("DELETE FROM user_scopes WHERE site_id = :id").bind("id", id).execute();
            int tokens = h.createUpdate("DELETE FROM enrollment_tokens WHERE site_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM sites WHERE id = :id").bind("id", id).execute();
            return tokens;
        });
    }

    /** Ids of the sites named exactly {@code name} (the agents' site string), across all clients. */
    public List<UUID> siteIdsNamed(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM sites WHERE name = :name").bind("name", name).mapTo(UUID.class).list());
    }

    /** Site of agent {@code id} (empty for an unknown agent). */
    Optional<UUID> siteOfAgent(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT site_id FROM agents WHERE id = :id").bind("id", id).mapTo(UUID.class).findOne());
    }

    /** The command's agent and that agent's site (empty for an unknown command). */
    Optional<UUID[]> agentAndSiteOfCommand(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT a.id, a.site_id FROM commands c JOIN agents a ON a.id = c.agent_id WHERE c.id = :id")
                .bind("id", id).map((rs, ctx) -> new UUID[] {rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)}).findOne());
    }

    /** True when batch {@code id} exists and every agent it targeted is within {@code scope}. */
    boolean batchWithin(UUID id, Scope scope) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM batches WHERE id = :id").bind("id", id).mapTo(Long.class).one() > 0
                && h.createQuery("SELECT COUNT(*) FROM batch_commands m JOIN agents a ON a.id = m.agent_id WHERE m.batch_id = :id AND NOT ("
                        + scope.sitesSql("a.site_id") + ")").bind("id", id).mapTo(Long.class).one() == 0);
    }
}

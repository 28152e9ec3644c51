package com.gururmm.server.tenancy;

import com.gururmm.protocol.api.Tenancy.ClientView;
import com.gururmm.protocol.api.Tenancy.SiteView;
import com.gururmm.protocol.text.ControlChars;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Scope;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Clients (an MSP's customers) and their sites. Names are 1 to 200 characters, trimmed, without
 * control characters, unique case-insensitively (clients overall, sites within their client).
 * A client or site that still holds agents (retired ones too: they keep their history there)
 * cannot be deleted; the default client and site cannot be deleted at all (new agents of a
 * token without a site land there). Listings show what the caller's {@link Scope} allows.
 */
public final class TenancyService {
    static final int MAX_NAME = 200;

    private final TenancyStore store;
    private final AuditLog audit;
    private final Clock clock;

    public TenancyService(TenancyStore store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    public TenancyStore store() {
        return store;
    }

    public List<ClientView> clients(Scope scope) {
        return store.clients(scope);
    }

    public ClientView client(UUID id, Scope scope) {
        return store.client(id, scope).orElseThrow(() -> ApiException.notFound("client", id));
    }

    public ClientView createClient(Principal actor, String rawName) {
        String name = name(rawName, "name");
        if (store.clientNameTaken(name, null)) {
            throw ApiException.conflict("A client named '" + name + "' already exists; pick another name.");
        }
        UUID id = UUID.randomUUID();
        try {
            store.insertClient(id, name, clock.instant());
        } catch (UnableToExecuteStatementException raced) {
            throw ApiException.conflict("A client named '" + name + "' already exists; pick another name.");
        }
        audit.record(actor.name(), "client.create", id.toString(), "name=" + name);
        return client(id, Scope.ALL);
    }

    public ClientView renameClient(Principal actor, UUID id, String rawName) {
        String name = name(rawName, "name");
        String before = store.clientName(id).orElseThrow(() -> ApiException.notFound("client", id));
        if (store.clientNameTaken(name, id)) {
            throw ApiException.conflict("A client named '" + name + "' already exists; pick another name.");
        }
        store.renameClient(id, name);
        audit.record(actor.name(), "client.rename", id.toString(), "name " + before + " -> " + name);
        return client(id, Scope.ALL);
    }

    public void deleteClient(Principal actor, UUID id) {
        String name = store.clientName(id).orElseThrow(() -> ApiException.notFound("client", id));
        if (id.equals(TenancyStore.DEFAULT_CLIENT)) {
            throw ApiException.conflict("The default client '" + name + "' cannot be deleted: agents of tokens without a site land there. "
                    + "Rename it instead.");
        }
        long agents = store.agentsInClient(id);
        if (agents > 0) {
            throw ApiException.conflict("Client '" + name + "' still has " + agents + " agent(s) in its sites (retired ones count: they "
                    + "keep their history there); move them to another site first (PATCH /api/agents/{id} {\"site_id\"}).");
        }
        int sites = store.deleteClient(id);
        audit.record(actor.name(), "client.delete", id.toString(), "name=" + name + " sites=" + sites);
    }

    public List<SiteView> sites(UUID clientId, Scope scope) {
        return store.sites(clientId, scope);
    }

    public SiteView site(UUID id) {
        return store.sites(null, Scope.ALL).stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> ApiException.notFound("site", id));
    }

    public SiteView createSite(Principal actor, UUID clientId, String rawName) {
        String name = name(rawName, "name");
        String client = store.clientName(clientId).orElseThrow(() -> ApiException.notFound("client", clientId));
        UUID id = insertSite(clientId, client, name);
        audit.record(actor.name(), "site.create", id.toString(), "client=" + client + " name=" + name);
        return site(id);
    }

    private UUID insertSite(UUID clientId, String client, String name) {
        if (store.siteNameTaken(clientId, name, null)) {
            throw ApiException.conflict("Client '" + client + "' already has a site named '" + name + "'; pick another name.");
        }
        UUID id = UUID.randomUUID();
        try {
            store.insertSite(id, clientId, name, clock.instant());
        } catch (UnableToExecuteStatementException raced) {
            throw ApiException.conflict("Client '" + client + "' already has a site named '" + name + "'; pick another name.");
        }
        return id;
    }

    public SiteView renameSite(Principal actor, UUID id, String rawName) {
        String name = name(rawName, "name");
        TenancyStore.SiteRow before = store.site(id).orElseThrow(() -> ApiException.notFound("site", id));
        if (store.siteNameTaken(before.clientId(), name, id)) {
            throw ApiException.conflict("Client '" + before.clientName() + "' already has a site named '" + name + "'; pick another name.");
        }
        store.renameSite(id, name);
        audit.record(actor.name(), "site.rename", id.toString(), "client=" + before.clientName() + " name " + before.name() + " -> " + name);
        return site(id);
    }

    public void deleteSite(Principal actor, UUID id) {
        TenancyStore.SiteRow site = store.site(id).orElseThrow(() -> ApiException.notFound("site", id));
        if (id.equals(TenancyStore.DEFAULT_SITE)) {
            throw ApiException.conflict("The default site '" + site.name() + "' cannot be deleted: agents of tokens without a site land "
                    + "there. Rename it instead.");
        }
        long agents = store.agentsInSite(id);
        if (agents > 0) {
            throw ApiException.conflict("Site '" + site.name() + "' of client '" + site.clientName() + "' still has " + agents
                    + " agent(s) (retired ones count: they keep their history there); move them to another site first "
                    + "(PATCH /api/agents/{id} {\"site_id\"}).");
        }
        int tokens = store.deleteSite(id);
        audit.record(actor.name(), "site.delete", id.toString(), "client=" + site.clientName() + " name=" + site.name()
                + " enrollment_tokens_deleted=" + tokens);
    }

    /** An existing site for {@code field} of a request; 400 naming the field when it does not exist. */
    public TenancyStore.SiteRow requireSite(UUID id, String field) {
        if (id == null) {
            throw ApiException.badRequest("Field '" + field + "' is required: the id of a site (GET /api/sites lists them).");
        }
        return store.site(id).orElseThrow(() -> ApiException.badRequest("Field '" + field + "' names site " + id
                + ", which does not exist; nothing was changed. GET /api/sites lists the sites."));
    }

    /**
     * The site an enrollment token is bound to: {@code siteId}, or the default client's site named
     * {@code siteName} (the older form, created if missing so existing scripts keep working), or
     * none (empty: the default site for new machines).
     */
    public Optional<TenancyStore.SiteRow> siteForToken(Principal actor, UUID siteId, String siteName) {
        if (siteId != null) {
            TenancyStore.SiteRow site = requireSite(siteId, "site_id");
            if (siteName != null && !siteName.isBlank() && !TenancyStore.key(siteName.trim()).equals(TenancyStore.key(site.name()))) {
                throw ApiException.badRequest("'site' ('" + Bodies.truncate(siteName) + "') is not the name of site_id " + siteId
                        + " ('" + site.name() + "'); send only 'site_id'.");
            }
            return Optional.of(site);
        }
        if (siteName == null || siteName.isBlank()) {
            return Optional.empty();
        }
        String name = name(siteName, "site");
        return Optional.of(store.siteByName(TenancyStore.DEFAULT_CLIENT, name).orElseGet(() -> {
            String client = store.clientName(TenancyStore.DEFAULT_CLIENT).orElse("Default");
            UUID id;
            try {
                id = insertSite(TenancyStore.DEFAULT_CLIENT, client, name);
            } catch (ApiException raced) {
                return store.siteByName(TenancyStore.DEFAULT_CLIENT, name).orElseThrow(() -> raced);
            }
            audit.record(actor.name(), "site.create", id.toString(), "client=" + client + " name=" + name + " (named by an enrollment token)");
            return store.site(id).orElseThrow();
        }));
    }

    /** A valid client or site name, trimmed; 400 naming {@code field} otherwise. */
    static String name(String raw, String field) {
        if (raw == null || raw.isBlank()) {
            throw ApiException.badRequest("Field '" + field + "' is required: a name of 1 to " + MAX_NAME + " characters.");
        }
        String name = raw.trim();
        if (name.length() > MAX_NAME) {
            throw ApiException.badRequest("Field '" + field + "' is " + name.length() + " characters long; the limit is " + MAX_NAME + ".");
        }
        if (name.chars().anyMatch(ControlChars::isUnsafe)) {
            throw ApiException.badRequest("Field '" + field + "' contains control or bidi characters; use plain text.");
        }
        return name;
    }
}

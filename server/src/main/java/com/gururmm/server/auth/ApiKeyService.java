package com.gururmm.server.auth;

import com.gururmm.protocol.api.ApiKeys.CreateRequest;
import com.gururmm.protocol.api.ApiKeys.Created;
import com.gururmm.protocol.api.ApiKeys.KeyView;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * API keys: bearer credentials for scripts and integrations, created by a signed-in user
 * (docs/OPERATIONS.md, "API keys").
 *
 * <p><b>Secret.</b> A key is {@code grmm_key_} and 256 random bits ({@link Secrets#newToken}),
 * shown once; the server stores only its SHA-256. A fast unkeyed hash is the standard choice for
 * such tokens: a slow password hash exists to make guessing <em>low-entropy</em> secrets
 * expensive, while 2^256 candidates cannot be searched at any speed, and a fast hash lets every
 * request be authenticated by one indexed lookup. The prefix tells keys from session JWTs
 * ({@code eyJ...}) and lets secret scanners recognise a leaked key.
 *
 * <p><b>Never wider than the owner.</b> At creation the key's role is at most the owner's and its
 * scope within the owner's. At every use the owner is read again with the key (one query), and
 * the request gets the <em>lower</em> of the key's and the owner's current role and the
 * <em>intersection</em> of the key's and the owner's current scope: demoting the owner or
 * narrowing their scope narrows their keys on the very next request. A disabled or deleted owner,
 * or one the MFA policy requires to have MFA and who has none, makes the key fail (401); disabling
 * an account also revokes its keys (like its sessions).
 *
 * <p><b>What keys cannot do.</b> Routes declared {@link com.gururmm.server.routing.Rule#requireSession}
 * refuse keys (403): creating keys (a key cannot mint keys), changing the password, and setting MFA
 * up, off or its policy. So a key never becomes a credential its owner's MFA did not stand behind.
 *
 * <p><b>Refusals.</b> A forged, expired or revoked key is a 401, audited as
 * {@code auth.api_key_refused}: once a minute per key (or unknown prefix), reason and address, and
 * at most {@link RefusalAudit#PER_MINUTE} entries a minute overall, so a script retrying a revoked
 * key or a flood of forged ones cannot fill the audit log.
 */
public final class ApiKeyService {
    static final String PREFIX = "grmm_key_";
    static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);
    static final int MAX_DAYS = 3650;
    static final int MAX_NAME = 100;
    static final int MAX_LIVE_KEYS = 100;
    /** Last use is written at most this often per key: the time a person reads in a listing, not a request log. */
    static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    /** Longer than any key this server issues (52 characters): anything longer is refused before hashing. */
    private static final int MAX_KEY_LENGTH = 200;

    private final ApiKeyStore store;
    private final Jdbi jdbi;
    private final AuthService auth;
    private final AuditLog audit;
    private final Clock clock;
    private final RefusalAudit refusals;

    public ApiKeyService(Jdbi jdbi, AuthService auth, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.store = new ApiKeyStore(jdbi);
        this.auth = auth;
        this.audit = audit;
        this.clock = clock;
        this.refusals = new RefusalAudit(audit, clock);
        auth.useApiKeys(this);
    }

    /** True for a bearer that is meant as an API key (the rest are session JWTs). */
    static boolean looksLikeKey(String bearer) {
        return bearer != null && bearer.startsWith(PREFIX);
    }

    // --- use ---

    /** The caller behind a presented key: its owner, narrowed to what both the key and the owner allow now. */
    Principal authenticate(String key, String clientAddress) {
        String shown = key.substring(0, Math.min(key.length(), PREFIX.length() + 4));
        if (key.length() > MAX_KEY_LENGTH) {
            throw refusals.refuse(null, shown, "malformed key", clientAddress, "This API key is not valid.");
        }
        ApiKeyStore.Presented row = store.findByHash(Secrets.sha256Hex(key)).orElse(null);
        if (row == null) {
            throw refusals.refuse(null, shown, "unknown key", clientAddress,
                    "This API key is not valid (unknown, mistyped, or its owner was deleted); create one with POST /api/api-keys.");
        }
        Instant now = clock.instant();
        if (row.revokedAt() != null) {
            throw refusals.refuse(row.id(), row.name(), "revoked key", clientAddress, "This API key was revoked at " + row.revokedAt() + ".");
        }
        if (!now.isBefore(row.expiresAt())) {
            throw refusals.refuse(row.id(), row.name(), "expired key", clientAddress,
                    "This API key expired at " + row.expiresAt() + "; create a new one.");
        }
        if (row.disabled()) {
            throw refusals.refuse(row.id(), row.name(), "owner disabled", clientAddress, "The account that owns this API key is disabled.");
        }
        Role ownerRole = Role.parse(row.ownerRole()).orElse(Role.VIEWER);
        try {
            auth.checkMfaAllowed(row.userId(), ownerRole);
        } catch (ApiException mfaMissing) {
            if (mfaMissing.status() != 401) {
                throw mfaMissing; // the database away for a moment: not the key's fault, nothing to audit
            }
            throw refusals.refuse(row.id(), row.name(), "owner has no MFA, which the policy requires", clientAddress,
                    "The owner of this API key must set up MFA (required for the " + ownerRole.wireName() + " role) before the key works.");
        }
        Role keyRole = Role.parse(row.role()).orElse(Role.VIEWER);
        Role effective = ownerRole.includes(keyRole) ? keyRole : ownerRole;
        Scope scope = jdbi.withHandle(h -> {
            Scope owner = ownerRole == Role.ADMIN ? Scope.ALL : ScopeStore.resolve(h, row.userId());
            Scope own = row.inheritScope() ? Scope.ALL : ApiKeyStore.resolve(h, row.id());
            return own.intersect(owner);
        });
        if (row.lastUsedAt() == null || row.lastUsedAt().isBefore(now.minus(TOUCH_EVERY))) {
            store.touch(row.id(), now, now.minus(TOUCH_EVERY), clientAddress == null ? null : clip(clientAddress, 64));
        }
        return new Principal(row.userId(), row.email(), effective, scope, row.id());
    }

    // --- management ---

    /** {@code POST /api/api-keys}: only from a signed-in session (the route refuses keys); the key is in the answer, once. */
    public Created create(Principal actor, CreateRequest request, String clientAddress) {
        if (actor.viaApiKey()) {
            throw ApiException.forbidden("An API key cannot create API keys; log in with your password (and MFA) to create one.");
        }
        String name = name(request.name());
        Instant now = clock.instant();
        Instant expires = expiry(request, now);
        UserStore.UserRow owner = new UserStore(jdbi).findById(actor.userId()).filter(u -> !u.disabled())
                .orElseThrow(() -> ApiException.unauthorized("The account behind this session is disabled or gone."));
        Role ownerRole = Role.parse(owner.role()).orElse(Role.VIEWER);
        // authenticate() already refused a session the MFA policy forbids; checked again here so key
        // creation never depends on which credential reached it.
        auth.checkMfaAllowed(owner.id(), ownerRole);
        Role role = request.role() == null ? ownerRole : Role.parse(request.role()).orElseThrow(() -> ApiException.badRequest(
                "Field 'role' must be admin, technician or viewer; got '" + Bodies.truncate(request.role()) + "'."));
        if (!ownerRole.includes(role)) {
            throw ApiException.forbidden("Field 'role' asks for " + role.wireName() + ", more than your own role ("
                    + ownerRole.wireName() + "); a key is never wider than its owner.");
        }
        UUID id = UUID.randomUUID();
        String key = Secrets.newToken("key");
        String prefix = key.substring(0, PREFIX.length() + 4);
        ScopeView scope = jdbi.inTransaction(h -> {
            ScopeView granted = scope(h, owner, ownerRole, role, request.scope());
            if (store.countLive(h, owner.id(), now) >= MAX_LIVE_KEYS) {
                throw ApiException.conflict("You have " + MAX_LIVE_KEYS + " live API keys, the limit; revoke some first.");
            }
            ApiKeyStore.insert(h, id, owner.id(), name, Secrets.sha256Hex(key), prefix, role.wireName(), granted == null, now, expires);
            if (granted != null) {
                ApiKeyStore.insertGrants(h, id, granted);
            }
            return granted;
        });
        audit.record(actor.name(), "api_key.create", id.toString(), "'" + name + "' (" + prefix + "...), role " + role.wireName()
                + ", scope " + (scope == null ? "the owner's" : ScopeStore.describe(scope)) + ", expires " + expires
                + (clientAddress == null ? "" : ", from " + clientAddress));
        return new Created(id, key, name, prefix, role.wireName(), scope, now, expires);
    }

    /** {@code GET /api/api-keys}: the caller's own keys; an admin with {@code all} sees everyone's. */
    public List<KeyView> list(Principal actor, boolean all) {
        if (all && actor.role() != Role.ADMIN) {
            throw ApiException.forbidden("Only admins list every user's API keys; leave out 'all=true' to list your own.");
        }
        Instant now = clock.instant();
        List<ApiKeyStore.KeyRow> rows = store.list(all ? null : actor.userId());
        return jdbi.withHandle(h -> rows.stream().map(r -> view(h, r, now)).toList());
    }

    /** {@code DELETE /api/api-keys/{id}}: the owner's or an admin's; works at once. Someone else's key is a 404, as if unknown. */
    public void revoke(Principal actor, UUID id) {
        ApiKeyStore.KeyRow row = store.find(id).filter(r -> r.userId().equals(actor.userId()) || actor.role() == Role.ADMIN)
                .orElseThrow(() -> ApiException.notFound("API key", id));
        if (store.revoke(id, actor.name(), clock.instant())) {
            audit.record(actor.name(), "api_key.revoke", id.toString(), "'" + row.name() + "' (" + row.keyPrefix() + "...) of "
                    + row.ownerEmail() + (actor.viaApiKey() ? ", with API key " + actor.apiKeyId() : ""));
        }
    }

    /** Called when an account is disabled, in that transaction: its keys end with its sessions. */
    static int revokeAllOf(Handle h, UUID userId, String by, Instant now) {
        return ApiKeyStore.revokeAll(h, userId, by, now);
    }

    private static KeyView view(Handle h, ApiKeyStore.KeyRow r, Instant now) {
        String status = r.revokedAt() != null ? "revoked" : now.isBefore(r.expiresAt()) ? "active" : "expired";
        return new KeyView(r.id(), r.name(), r.keyPrefix(), r.userId(), r.ownerEmail(), r.role(),
                r.inheritScope() ? null : ApiKeyStore.grants(h, r.id()), status, r.createdAt(), r.expiresAt(), r.lastUsedAt(),
                r.lastUsedIp(), r.revokedAt());
    }

    // --- input ---

    private static String name(String raw) {
        if (raw == null || raw.isBlank()) {
            throw ApiException.badRequest("Field 'name' is required: what the key is for, e.g. \"backup script\".");
        }
        String name = raw.strip();
        if (name.length() > MAX_NAME) {
            throw ApiException.badRequest("Field 'name' is longer than " + MAX_NAME + " characters.");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("Field 'name' contains a control character; use printable text.");
        }
        return name;
    }

    private static Instant expiry(CreateRequest request, Instant now) {
        if (request.expiresAt() != null && request.expiresInDays() != null) {
            throw ApiException.badRequest("Send at most one of 'expires_at' and 'expires_in_days'.");
        }
        Instant latest = now.plus(Duration.ofDays(MAX_DAYS));
        if (request.expiresInDays() != null) {
            if (request.expiresInDays() < 1 || request.expiresInDays() > MAX_DAYS) {
                throw ApiException.badRequest("Field 'expires_in_days' must be 1 to " + MAX_DAYS + "; got " + request.expiresInDays() + ".");
            }
            return now.plus(Duration.ofDays(request.expiresInDays()));
        }
        if (request.expiresAt() != null) {
            if (!request.expiresAt().isAfter(now) || request.expiresAt().isAfter(latest)) {
                throw ApiException.badRequest("Field 'expires_at' must be in the future and at most " + MAX_DAYS
                        + " days ahead; got " + request.expiresAt() + ".");
            }
            return request.expiresAt();
        }
        return now.plus(DEFAULT_LIFETIME);
    }

    /**
     * The key's own grants, or null for the owner's scope. Each must lie within the owner's scope:
     * a granted client must be one the owner has whole. An id outside it is refused with the same
     * words whether it exists or not, so a key request cannot probe for other customers' ids.
     */
    private static ScopeView scope(Handle h, UserStore.UserRow owner, Role ownerRole, Role keyRole, ScopeView requested) {
        if (requested == null) {
            return null;
        }
        List<UUID> clients = distinct(requested.clientIds(), "client_ids");
        List<UUID> sites = distinct(requested.siteIds(), "site_ids");
        if (keyRole == Role.ADMIN) {
            if (!clients.isEmpty() || !sites.isEmpty()) {
                throw ApiException.badRequest("An admin key sees every client and site; a 'scope' applies to technician and viewer keys.");
            }
            return null;
        }
        if (clients.isEmpty() && sites.isEmpty()) {
            throw ApiException.badRequest("Field 'scope' is empty: the key would see nothing. Leave 'scope' out to use your own.");
        }
        if (clients.size() + sites.size() > ScopeStore.MAX_GRANTS) {
            throw ApiException.badRequest("'scope' names " + (clients.size() + sites.size()) + " clients and sites; the limit is "
                    + ScopeStore.MAX_GRANTS + ".");
        }
        ScopeView wanted = new ScopeView(clients, sites);
        if (ownerRole == Role.ADMIN) {
            return ScopeStore.validate(h, wanted);
        }
        ScopeView ownerGrants = ScopeStore.grants(h, owner.id());
        Scope ownerScope = ScopeStore.resolve(h, owner.id());
        for (UUID client : clients) {
            if (!ownerGrants.clientIds().contains(client)) {
                throw ApiException.forbidden("'scope.client_ids' names " + client + ", which is not a client wholly in your scope;"
                        + " a key's scope is at most yours.");
            }
        }
        for (UUID site : sites) {
            if (!ownerScope.allowsSite(site)) {
                throw ApiException.forbidden("'scope.site_ids' names " + site + ", which is not a site in your scope;"
                        + " a key's scope is at most yours.");
            }
        }
        return wanted;
    }

    private static List<UUID> distinct(List<UUID> ids, String field) {
        if (ids == null) {
            return List.of();
        }
        if (ids.contains(null)) {
            throw ApiException.badRequest("'scope." + field + "' contains null; every entry must be a UUID.");
        }
        return new ArrayList<>(new LinkedHashSet<>(ids));
    }

    private static String clip(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }
}

package com.gururmm.server.enrollment;

import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.protocol.api.EnrollmentTokens.TokenView;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Secrets;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import com.gururmm.server.tenancy.TenancyService;
import com.gururmm.server.tenancy.TenancyStore;
import java.util.UUID;

/**
 * Enrollment tokens: what an installer carries so a new agent may join. Each has an expiry
 * (default 24 h, at most a year) and an optional use limit, and can be revoked. A token is bound
 * to a site (issue 10): machines enrolling with it land there. A token without one sends new
 * machines to the default site and leaves a re-enrolling machine where it is.
 */
public final class EnrollmentTokenService {
    static final int DEFAULT_EXPIRY_HOURS = 24;
    static final int MAX_EXPIRY_HOURS = 24 * 365;

    private final EnrollmentTokenStore store;
    private final TenancyService tenancy;
    private final AuditLog audit;
    private final Clock clock;

    public EnrollmentTokenService(EnrollmentTokenStore store, TenancyService tenancy, AuditLog audit, Clock clock) {
        this.store = store;
        this.tenancy = tenancy;
        this.audit = audit;
        this.clock = clock;
    }

    public TokenView create(Principal actor, CreateRequest request) {
        int hours = request.expiresInHours() == null ? DEFAULT_EXPIRY_HOURS : request.expiresInHours();
        if (hours < 1 || hours > MAX_EXPIRY_HOURS) {
            throw ApiException.badRequest("'expires_in_hours' must be between 1 and " + MAX_EXPIRY_HOURS + "; got " + hours + ".");
        }
        if (request.maxUses() != null && (request.maxUses() < 1 || request.maxUses() > 1_000_000)) {
            throw ApiException.badRequest("'max_uses' must be between 1 and 1000000, or left out for no limit; got " + request.maxUses() + ".");
        }
        Optional<TenancyStore.SiteRow> site = tenancy.siteForToken(actor, request.siteId(), request.site());
        return createToken(actor, site.orElse(null), Duration.ofHours(hours), request.maxUses(), false);
    }

    /**
     * The token the server hands its own local agent (single use, short-lived, site "server").
     * The agent that enrolls with it is marked as the server host, so only admins may run
     * commands on it: it runs as the server's user and can read the server's data dir.
     */
    public TokenView createServerHostToken(Duration lifetime) {
        return createToken(Principal.SYSTEM, tenancy.siteForToken(Principal.SYSTEM, null, "server").orElseThrow(), lifetime, 1, true);
    }

    private TokenView createToken(Principal actor, TenancyStore.SiteRow site, Duration lifetime, Integer maxUses, boolean serverHost) {
        String token = Secrets.newToken("enroll");
        Instant now = clock.instant();
        EnrollmentTokenStore.TokenRow row = new EnrollmentTokenStore.TokenRow(UUID.randomUUID(), Secrets.sha256Hex(token),
                site == null ? null : site.name(), actor.name(), now, now.plus(lifetime), maxUses, 0, null, serverHost,
                site == null ? null : site.id());
        store.insert(row);
        audit.record(actor.name(), "enrollment_token.create", row.id().toString(),
                "site=" + (site == null ? "(default for new machines)" : site.clientName() + "/" + site.name() + " (" + site.id() + ")")
                        + " expires_at=" + row.expiresAt() + " max_uses=" + maxUses
                        + (serverHost ? " server_host=true" : ""));
        return view(row, token);
    }

    public List<TokenView> list() {
        return list(null, null);
    }

    /** Optionally only the tokens of one client or site. */
    public List<TokenView> list(UUID clientId, UUID siteId) {
        return store.list().stream().map(row -> view(row, null))
                .filter(t -> siteId == null || siteId.equals(t.siteId()))
                .filter(t -> clientId == null || clientId.equals(t.clientId()))
                .toList();
    }

    public void revoke(Principal actor, UUID id) {
        EnrollmentTokenStore.TokenRow row = store.findById(id).orElseThrow(() -> ApiException.notFound("enrollment token", id));
        if (row.revokedAt() != null) {
            throw ApiException.conflict("Enrollment token " + id + " was already revoked at " + row.revokedAt() + ".");
        }
        store.revoke(id, clock.instant());
        audit.record(actor.name(), "enrollment_token.revoke", id.toString(), null);
    }

    /**
     * Spends one use of {@code token} and returns its site (may be null). Refuses unknown,
     * revoked, expired and used-up tokens with a message saying which.
     */
    public Redemption redeem(String token) {
        if (token == null || token.isBlank()) {
            throw ApiException.badRequest("Field 'enrollment_token' is required.");
        }
        String hash = Secrets.sha256Hex(token);
        Instant now = clock.instant();
        EnrollmentTokenStore.TokenRow row = store.findByHash(hash)
                .orElseThrow(() -> ApiException.unauthorized("The enrollment token is not known to this server."));
        if (!store.consume(hash, now)) {
            String why = row.revokedAt() != null ? "has been revoked"
                    : row.expiresAt() != null && !row.expiresAt().isAfter(now) ? "expired at " + row.expiresAt()
                    : "has been used its maximum of " + row.maxUses() + " times";
            throw ApiException.forbidden("The enrollment token " + why + "; ask an admin for a new one.");
        }
        return new Redemption(row.id(), row.site(), row.serverHost(), row.siteId());
    }

    /** Refuses an unknown, revoked, expired or used-up token like {@link #redeem}, without spending a use. */
    public void requireUsable(String token) {
        if (token == null || token.isBlank()) {
            throw ApiException.badRequest("Field 'enrollment_token' is required.");
        }
        Instant now = clock.instant();
        EnrollmentTokenStore.TokenRow row = store.findByHash(Secrets.sha256Hex(token))
                .orElseThrow(() -> ApiException.unauthorized("The enrollment token is not known to this server."));
        if (row.revokedAt() != null || (row.expiresAt() != null && !row.expiresAt().isAfter(now))
                || (row.maxUses() != null && row.uses() >= row.maxUses())) {
            String why = row.revokedAt() != null ? "has been revoked"
                    : row.expiresAt() != null && !row.expiresAt().isAfter(now) ? "expired at " + row.expiresAt()
                    : "has been used its maximum of " + row.maxUses() + " times";
            throw ApiException.forbidden("The enrollment token " + why + "; ask an admin for a new one.");
        }
    }

    /** True when the {@code Authorization: Bearer} header holds a token {@link #requireUsable} accepts (install downloads). */
    public boolean usableBearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        try {
            requireUsable(authorization.substring(7).trim());
            return true;
        } catch (ApiException refused) {
            return false;
        }
    }

    /**
     * @param serverHost the token was minted for the server's own agent
     * @param siteId the site enrolled machines land in; null: the default site for new machines, a re-enrolling one stays
     */
    public record Redemption(UUID tokenId, String site, boolean serverHost, UUID siteId) {
    }

    private TokenView view(EnrollmentTokenStore.TokenRow row, String clearToken) {
        Instant now = clock.instant();
        String status = row.revokedAt() != null ? "revoked"
                : row.expiresAt() != null && !row.expiresAt().isAfter(now) ? "expired"
                : row.maxUses() != null && row.uses() >= row.maxUses() ? "used_up" : "active";
        Optional<TenancyStore.SiteRow> site = row.siteId() == null ? Optional.empty() : tenancy.store().site(row.siteId());
        return new TokenView(row.id(), clearToken, site.map(TenancyStore.SiteRow::name).orElse(row.site()), row.createdAt(), row.expiresAt(),
                row.maxUses(), row.uses(), row.revokedAt(), status, row.siteId(), site.map(TenancyStore.SiteRow::clientId).orElse(null),
                site.map(TenancyStore.SiteRow::clientName).orElse(null));
    }

}

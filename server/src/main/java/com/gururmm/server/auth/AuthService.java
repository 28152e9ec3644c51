package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.ChangePasswordRequest;
import com.gururmm.protocol.api.Auth.CreateUserRequest;
import com.gururmm.protocol.api.Auth.LoginResponse;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.api.Auth.UserDetail;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Logins, bearer-token checks, logout and password changes, and the first admin. A token is
 * accepted only while its session row is live (see {@link SessionStore}); user administration
 * that ends sessions is {@link UserAdmin}'s.
 */
public final class AuthService implements com.gururmm.server.routing.AccessFilter.Users {
    private final Jdbi jdbi;
    private final UserStore users;
    private final SessionStore sessions;
    private final PasswordHasher hasher;
    private final JwtService jwt;
    private final AuditLog audit;
    private final Clock clock;
    private final LoginThrottle throttle;
    private final UserAdmin admin;
    /** Set once while wiring ({@link MfaService} registers itself); null: no second factor. */
    private volatile MfaService mfa;
    /** Set once while wiring ({@link ApiKeyService} registers itself); null: bearer API keys are not accepted. */
    private volatile ApiKeyService apiKeys;
    /** False with GURURMM_LOCAL_LOGIN=disabled: password login answers 403 (single sign-on only). */
    private volatile boolean localLogin = true;
    /** Verified against when the e-mail is unknown, so timing does not reveal which e-mails exist. */
    private final String decoyHash;
    /** Session callers of this node; null in a cluster, where a change may happen on another node. */
    private volatile CallerCache callers = new CallerCache();

    public AuthService(Jdbi jdbi, PasswordHasher hasher, JwtService jwt, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.users = new UserStore(jdbi);
        this.sessions = new SessionStore(jdbi);
        this.hasher = hasher;
        this.jwt = jwt;
        this.audit = audit;
        this.clock = clock;
        this.throttle = new LoginThrottle(clock);
        this.admin = new UserAdmin(jdbi, hasher, audit, clock);
        this.decoyHash = hasher.hash(UUID.randomUUID().toString());
    }

    /** In a cluster every request is authenticated from the database: a revocation may come from any node. */
    public void clustered() {
        this.callers = null;
    }

    /** A request that may change who a caller is (a session, an account, a role, a scope, the MFA policy) is starting or has ended. */
    @Override
    public void callersMayChange() {
        CallerCache cache = callers;
        if (cache != null) {
            cache.forgetAll();
        }
    }

    void useMfa(MfaService mfa) {
        this.mfa = mfa;
    }

    void useApiKeys(ApiKeyService apiKeys) {
        this.apiKeys = apiKeys;
    }

    /** The MFA policy's word on a credential of this user: a 401 when their role needs MFA and they have none. */
    void checkMfaAllowed(UUID userId, Role role) {
        MfaService second = mfa;
        if (second != null) {
            second.checkSessionAllowed(userId, role);
        }
    }

    /** Disabling, re-roling and deleting users. */
    public UserAdmin admin() {
        return admin;
    }

    /** GURURMM_LOCAL_LOGIN=disabled: from now on {@link #login} answers 403; sessions and API keys keep working. */
    public void disableLocalLogin() {
        this.localLogin = false;
    }

    public boolean localLoginEnabled() {
        return localLogin;
    }

    public LoginResponse login(String email, String password, String clientAddress) {
        if (!localLogin) {
            audit.record("anonymous@" + clientAddress, "auth.login_failed", email == null ? "" : email.trim().toLowerCase(Locale.ROOT),
                    "password login is disabled");
            throw ApiException.forbidden("Password login is disabled on this server (GURURMM_LOCAL_LOGIN=disabled); sign in with SSO"
                    + " (GET /api/auth/oidc/login), or use an API key.");
        }
        if (email == null || email.isBlank() || password == null || password.isEmpty()) {
            throw ApiException.badRequest("Fields 'email' and 'password' are required.");
        }
        if (email.length() > 320 || password.length() > 1024) {
            throw ApiException.badRequest("'email' or 'password' is longer than allowed.");
        }
        String normalised = email.trim().toLowerCase(Locale.ROOT);
        LoginThrottle.Attempt attempt = admit(normalised, clientAddress);
        boolean ok = false;
        try {
            Optional<UserStore.UserRow> user = users.findByEmail(normalised);
            if (user.isPresent()) {
                ok = hasher.verify(password, user.get().passwordHash()) && !user.get().disabled();
            } else {
                hasher.verify(password, decoyHash); // same cost as a real check
            }
            if (!ok) {
                attempt.failed();
                audit.record("anonymous@" + clientAddress, "auth.login_failed", normalised, null);
                throw ApiException.unauthorized("E-mail or password is wrong.");
            }
            UserStore.UserRow row = user.get();
            MfaService second = mfa;
            LoginResponse challenge = second == null ? null : second.challengeFor(row);
            if (challenge != null) {
                // Neither a success nor a failure yet: a success would wipe the count of wrong codes
                // that an attacker who knows the password piles up (MfaService.verify settles it).
                audit.record(row.email(), "auth.login_password_ok", row.email(),
                        (challenge.mfaEnrollmentRequired() ? "MFA set-up required" : "MFA code required") + ", from " + clientAddress);
                return challenge;
            }
            attempt.succeeded();
            return issueSession(row, clientAddress, null);
        } finally {
            attempt.settle();
        }
    }

    /** A new session for a user who has passed every login step; audited as {@code auth.login}. */
    LoginResponse issueSession(UserStore.UserRow row, String clientAddress, String how) {
        return issueSession(row, clientAddress, how, false);
    }

    /** The same; {@code idpMfa}: the identity provider vouched for a second factor (SSO, {@link OidcService}). */
    LoginResponse issueSession(UserStore.UserRow row, String clientAddress, String how, boolean idpMfa) {
        Role role = Role.parse(row.role()).orElse(Role.VIEWER);
        JwtService.Issued issued = jwt.issue(row.id(), row.email(), role);
        jdbi.useHandle(h -> SessionStore.insert(h, issued.sessionId(), row.id(), issued.issuedAt(), issued.expiresAt(), idpMfa));
        // A new session: nothing cached can be stale for it, but a login is rare, and forgetting is the safe side.
        callersMayChange();
        audit.record(row.email(), "auth.login", row.email(), (how == null ? "" : how + ", ") + "from " + clientAddress);
        return new LoginResponse(issued.token(), issued.expiresAt(), new UserView(row.id(), row.email(), role.wireName()));
    }

    boolean passwordMatches(String password, UserStore.UserRow row) {
        return hasher.verify(password, row.passwordHash());
    }

    /** Passes the throttle or throws its 429; the first refusal of each lockout step is audited. */
    LoginThrottle.Attempt admit(String account, String clientAddress) {
        LoginThrottle.Decision decision = throttle.begin(account, clientAddress);
        decision.refused().ifPresent(refusal -> {
            long seconds = Math.max(1, (refusal.retryAfter().toMillis() + 999) / 1000);
            if (refusal.firstNotice()) {
                audit.record("anonymous@" + clientAddress, "auth.login_throttled", account,
                        refusal.scope().name().toLowerCase(Locale.ROOT) + " locked for " + seconds + " s");
            }
            throw ApiException.rateLimited("Too many failed logins; wait " + seconds + " seconds and try again.");
        });
        return decision.attempt();
    }

    /** The caller behind an {@code Authorization} header value; 401 if missing, invalid or no longer live. */
    @Override
    public Principal authenticate(String authorizationHeader) {
        return authenticate(authorizationHeader, null);
    }

    /**
     * The same; {@code clientAddress} (or null) is recorded as an API key's last use. The bearer is
     * a session JWT or an API key, told apart by the key's {@code grmm_key_} prefix (a JWT starts
     * with {@code eyJ}).
     */
    @Override
    public Principal authenticate(String authorizationHeader, String clientAddress) {
        ApiKeyService keys = apiKeys;
        if (keys != null) {
            String token = bearer(authorizationHeader);
            if (ApiKeyService.looksLikeKey(token)) {
                return keys.authenticate(token, clientAddress);
            }
        }
        String token = bearer(authorizationHeader);
        CallerCache cache = callers;
        if (cache == null) {
            return authenticateSession(token).principal();
        }
        Instant now = clock.instant();
        Optional<Principal> known = cache.get(token, now);
        if (known.isPresent()) {
            return known.get();
        }
        long generation = cache.generation();
        Session session = authenticateSession(token);
        cache.put(token, session.principal(), session.expiresAt(), generation, now);
        return session.principal();
    }

    private record Session(Principal principal, Instant expiresAt) {
    }

    /** The session behind a JWT, read from the database: signature, session row, account, MFA policy, scope. */
    private Session authenticateSession(String token) {
        JwtService.Claims claims = jwt.verify(token);
        SessionStore.Live live = sessions.find(claims.sessionId(), claims.userId())
                .orElseThrow(() -> ApiException.unauthorized("This session is unknown or its account was deleted; log in again."));
        if (live.revokedAt() != null) {
            throw ApiException.unauthorized("This session was ended (logout, password change or an admin); log in again.");
        }
        if (!clock.instant().isBefore(live.expiresAt())) {
            throw ApiException.unauthorized("The session token has expired; log in again.");
        }
        if (live.disabled()) {
            throw ApiException.unauthorized("The account behind this token is disabled.");
        }
        Role role = Role.parse(live.role()).orElse(Role.VIEWER);
        MfaService second = mfa;
        if (second != null && !live.idpMfa()) {
            second.checkSessionAllowed(live.userId(), role);
        }
        // Read per request, like the role: a scope change applies to the very next request.
        Scope scope = role == Role.ADMIN ? Scope.ALL : jdbi.withHandle(h -> ScopeStore.resolve(h, live.userId()));
        return new Session(new Principal(live.userId(), live.email(), role, scope), live.expiresAt());
    }

    /**
     * The user {@code userId} as a caller now (current role and scope), for work done on their
     * behalf without a request (a scheduled task runs as its owner); empty when the account is
     * gone or disabled.
     */
    public Optional<Principal> principalOf(UUID userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT email, role, disabled FROM users WHERE id = :id")
                .bind("id", userId)
                .map((rs, c) -> rs.getBoolean("disabled") ? null : new String[] {rs.getString("email"), rs.getString("role")})
                .findOne()
                .filter(java.util.Objects::nonNull)
                .map(user -> {
                    Role role = Role.parse(user[1]).orElse(Role.VIEWER);
                    Scope scope = role == Role.ADMIN ? Scope.ALL : ScopeStore.resolve(h, userId);
                    return new Principal(userId, user[0], role, scope);
                }));
    }

    /** {@code POST /api/auth/logout}: ends the session of the token presented. */
    public void logout(String authorizationHeader) {
        Principal principal = authenticate(authorizationHeader);
        JwtService.Claims claims = jwt.verify(bearer(authorizationHeader));
        sessions.revoke(claims.sessionId(), clock.instant());
        audit.record(principal.name(), "auth.logout", principal.name(), null);
    }

    /**
     * {@code POST /api/auth/password}: ends every session of the user, this one included, and
     * returns a fresh token, so a thief holding any old token is out while the caller stays in.
     * A wrong current password counts as a failed login (a stolen token must not become a
     * password-guessing oracle).
     */
    public LoginResponse changePassword(Principal principal, ChangePasswordRequest request, String clientAddress) {
        if (request.currentPassword() == null || request.currentPassword().isEmpty() || request.newPassword() == null) {
            throw ApiException.badRequest("Fields 'current_password' and 'new_password' are required.");
        }
        if (request.newPassword().length() < 12 || request.newPassword().length() > 1024 || request.currentPassword().length() > 1024) {
            throw ApiException.badRequest("Field 'new_password' must be 12 to 1024 characters long.");
        }
        UserStore.UserRow row = users.findById(principal.userId())
                .orElseThrow(() -> ApiException.unauthorized("The account behind this token no longer exists."));
        LoginThrottle.Attempt attempt = admit(row.email(), clientAddress);
        try {
            if (!hasher.verify(request.currentPassword(), row.passwordHash())) {
                attempt.failed();
                audit.record(row.email(), "user.password_change_failed", row.email(), "wrong current password, from " + clientAddress);
                throw ApiException.forbidden("The current password is wrong.");
            }
            attempt.succeeded();
        } finally {
            attempt.settle();
        }
        String hash = hasher.hash(request.newPassword());
        Role role = Role.parse(row.role()).orElse(Role.VIEWER);
        JwtService.Issued issued = jwt.issue(row.id(), row.email(), role);
        int revoked = jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE users SET password_hash = :hash WHERE id = :id").bind("hash", hash).bind("id", row.id()).execute();
            int n = SessionStore.revokeAll(h, row.id(), clock.instant());
            SessionStore.insert(h, issued.sessionId(), row.id(), issued.issuedAt(), issued.expiresAt());
            return n;
        });
        audit.record(row.email(), "user.password_change", row.email(), revoked + " session(s) ended, from " + clientAddress);
        return new LoginResponse(issued.token(), issued.expiresAt(), new UserView(row.id(), row.email(), role.wireName()));
    }

    private static String bearer(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("This route needs 'Authorization: Bearer <token>'; get a token from POST /api/auth/login.");
        }
        return authorizationHeader.substring(7).trim();
    }

    public UserView createUser(Principal actor, CreateUserRequest request) {
        if (request.email() == null || !request.email().matches("[^@\\s]{1,200}@[^@\\s]{1,119}")) {
            throw ApiException.badRequest("Field 'email' must be an e-mail address; got " + (request.email() == null ? "nothing" : "'" + request.email() + "'") + ".");
        }
        if (request.password() == null || request.password().length() < 12 || request.password().length() > 1024) {
            throw ApiException.badRequest("Field 'password' must be 12 to 1024 characters long.");
        }
        Role role = Role.parse(request.role()).orElseThrow(() -> ApiException.badRequest(
                "Field 'role' must be admin, technician or viewer; got " + (request.role() == null ? "nothing" : "'" + request.role() + "'") + "."));
        String email = request.email().trim().toLowerCase(Locale.ROOT);
        UserAdmin.refuseAdminScope(role, request.scope());
        ScopeView scope = jdbi.withHandle(h -> ScopeStore.validate(h, request.scope()));
        if (users.findByEmail(email).isPresent()) {
            throw ApiException.conflict("A user with e-mail " + email + " already exists.");
        }
        UUID id = UUID.randomUUID();
        String hash = hasher.hash(request.password());
        jdbi.useTransaction(h -> {
            UserStore.insert(h, new UserStore.UserRow(id, email, hash, role.wireName(), false, clock.instant()));
            ScopeStore.replace(h, id, scope);
        });
        audit.record(actor.name(), "user.create", email, "role=" + role.wireName()
                + (role == Role.ADMIN ? "" : " scope " + ScopeStore.describe(scope)));
        return new UserView(id, email, role.wireName());
    }

    public java.util.List<UserDetail> listUsers() {
        return jdbi.withHandle(h -> users.list().stream().map(row -> UserAdmin.detail(h, row)).toList());
    }

    /**
     * Creates the first admin when there are no users. Returns the password when it was
     * generated (so the caller can print it once), empty otherwise.
     */
    public Optional<String> ensureFirstAdmin(String email, String configuredPassword) {
        if (users.count() > 0) {
            return Optional.empty();
        }
        String password = configuredPassword.isEmpty() ? Secrets.newToken("pw").substring(8, 32) : configuredPassword;
        UUID id = UUID.randomUUID();
        users.insert(new UserStore.UserRow(id, email.toLowerCase(Locale.ROOT), hasher.hash(password), Role.ADMIN.wireName(), false, clock.instant()));
        audit.record(Principal.SYSTEM.name(), "user.create", email, "first admin");
        return configuredPassword.isEmpty() ? Optional.of(password) : Optional.empty();
    }
}

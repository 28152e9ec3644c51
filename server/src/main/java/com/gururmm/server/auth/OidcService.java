package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.LoginResponse;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.config.OidcSettings;
import com.gururmm.server.db.Database;
import com.gururmm.server.http.ApiException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * OpenID Connect login, authorization code flow with PKCE (RFC 7636, S256), against the provider
 * at {@code GURURMM_OIDC_ISSUER} (docs/OPERATIONS.md, "Single sign-on (OIDC)").
 *
 * <p>Flow: {@link #start} stores a login in flight (the state's hash, nonce, PKCE verifier) bound to
 * a random browser cookie, and sends the browser to the provider. {@link #callback} takes that login
 * by its state (single use, {@link #LOGIN_TTL}), requires the same cookie, exchanges the code at the
 * token endpoint with the verifier, and validates the ID token: signature against the provider's
 * JWKS, issuer, audience (our client id), expiry and nonce ({@link IDTokenValidator}). The claims are
 * then mapped ({@link OidcMapping}) and the user provisioned or updated in one transaction; the
 * browser gets a one-time handoff in the dashboard URL's fragment, which {@link #session} trades (with
 * the same cookie) for the same session a password login issues. No token is ever in a URL.
 *
 * <p>MFA: the provider authenticates SSO users, so GuruRMM's TOTP is not asked. When the MFA policy
 * requires MFA for the mapped role, the ID token's {@code amr} must name one of
 * {@code GURURMM_OIDC_MFA_AMR} (RFC 8176 values such as {@code mfa}, {@code otp}, {@code hwk}), or
 * the login is refused; the session is then marked as MFA-verified at the provider.
 *
 * <p>Every refusal is audited ({@code auth.sso_failed}) and changes nothing.
 */
public final class OidcService {
    static final Duration LOGIN_TTL = Duration.ofMinutes(10);
    static final Duration HANDOFF_TTL = Duration.ofMinutes(2);
    public static final String COOKIE = "gururmm_oidc";
    public static final String CALLBACK_PATH = "/api/auth/oidc/callback";

    /** Where to send the browser, and the cookie value to bind the login to. */
    public record Start(URI location, String browserSecret) {
    }

    private final OidcSettings settings;
    /** Striped locks serializing the provisioning of one identity on this node. */
    private final Object[] provisionLocks = java.util.stream.IntStream.range(0, 64).mapToObj(i -> new Object()).toArray();
    private final Jdbi jdbi;
    private final AuthService auth;
    private final MfaService mfa;
    private final AuditLog audit;
    private final Clock clock;
    private final OidcStore store;
    private final OidcMapping mapping;
    private final PasswordHasher hasher = new PasswordHasher();
    private final OidcProvider provider;

    public OidcService(OidcSettings settings, Jdbi jdbi, AuthService auth, MfaService mfa, AuditLog audit, Clock clock) {
        this.settings = settings;
        this.jdbi = jdbi;
        this.auth = auth;
        this.mfa = mfa;
        this.audit = audit;
        this.clock = clock;
        this.store = new OidcStore(jdbi);
        this.mapping = new OidcMapping(settings);
        this.provider = new OidcProvider(settings);
    }

    public OidcSettings settings() {
        return settings;
    }

    /** {@code GET /api/auth/oidc/login}. {@code derivedRedirect}: the callback URL as this request reached us. */
    public Start start(String derivedRedirect) {
        URI authorizationEndpoint = provider.authorizationEndpoint();
        String redirect = settings.redirectUri().isEmpty() ? derivedRedirect : settings.redirectUri();
        State state = new State(32);
        Nonce nonce = new Nonce(32);
        CodeVerifier verifier = new CodeVerifier();
        String browser = Secrets.newToken("sso");
        Instant now = clock.instant();
        store.insertLogin(Secrets.sha256Hex(state.getValue()), new OidcStore.Pending(Secrets.sha256Hex(browser), nonce.getValue(),
                verifier.getValue(), redirect, now.plus(LOGIN_TTL)), now);
        AuthenticationRequest request = new AuthenticationRequest.Builder(new ResponseType(ResponseType.Value.CODE),
                new com.nimbusds.oauth2.sdk.Scope(settings.scopes().toArray(String[]::new)), new ClientID(settings.clientId()), URI.create(redirect))
                .endpointURI(authorizationEndpoint)
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256)
                .build();
        return new Start(request.toURI(), browser);
    }

    /**
     * {@code GET /api/auth/oidc/callback}: returns the one-time handoff for {@link #session}.
     * {@code browserSecret} is the cookie {@link #start} set (null when the browser sent none).
     */
    public String callback(String state, String code, String error, String browserSecret, String clientAddress) {
        String actor = "anonymous@" + clientAddress;
        if (state == null || state.isBlank() || state.length() > 200) {
            throw refused(actor, 400, "The SSO callback has no valid 'state'; start again from the login page.");
        }
        Optional<OidcStore.Pending> taken = store.takeLogin(Secrets.sha256Hex(state));
        if (taken.isEmpty()) {
            throw refused(actor, 400, "The SSO 'state' is unknown, expired or already used; start again from the login page.");
        }
        OidcStore.Pending pending = taken.get();
        if (browserSecret == null || !Secrets.sha256Hex(browserSecret).equals(pending.browserHash())) {
            throw refused(actor, 400, "This SSO login was started in another browser (its cookie is missing or different); start again from the login page.");
        }
        if (!clock.instant().isBefore(pending.expiresAt())) {
            throw refused(actor, 400, "The SSO login took too long and expired; start again from the login page.");
        }
        if (error != null && !error.isBlank()) {
            // The provider's error code, reduced to the characters RFC 6749 allows in one (it reaches the audit log).
            throw refused(actor, 401, "The identity provider refused the login (" + clip(error.replaceAll("[^\\x20-\\x7E]", "?")) + ").");
        }
        if (code == null || code.isBlank() || code.length() > 2000) {
            throw refused(actor, 400, "The SSO callback has no 'code'; start again from the login page.");
        }
        IDTokenClaimsSet claims;
        try {
            claims = provider.exchange(code, pending);
        } catch (ApiException e) {
            throw refused(actor, e.status(), e.getMessage());
        }
        String issuer = claims.getIssuer().getValue();
        String subject = claims.getSubject().getValue();
        String who = subject + "@" + issuer;
        Object roleClaim = claims.getClaim(settings.roleClaim());
        Role role = mapping.role(roleClaim).orElseThrow(() -> refused("sso:" + who, 403, "The ID token's '" + settings.roleClaim()
                + "' claim " + OidcMapping.values(roleClaim) + " maps to no GuruRMM role; ask an administrator to put you in a mapped group"
                + " (GURURMM_OIDC_ROLE_MAP)."));
        List<String> amr = OidcMapping.values(claims.getClaim("amr"));
        boolean idpMfa = amr.stream().anyMatch(settings.mfaAmr()::contains);
        if (!idpMfa && mfa != null && mfa.requiredRoles().contains(role)) {
            throw refused("sso:" + who, 403, "MFA is required for the " + role.wireName() + " role, and the identity provider did not report a"
                    + " second factor (amr " + amr + "); turn MFA on at the provider.");
        }
        UUID userId = provision(issuer, subject, role, claims, who);
        String handoff = Secrets.newToken("sso");
        Instant now = clock.instant();
        store.insertHandoff(Secrets.sha256Hex(handoff), new OidcStore.Handoff(pending.browserHash(), userId, idpMfa,
                clip("with SSO (" + issuer + ", sub " + subject + (idpMfa ? ", MFA at the provider" : "") + ")"), now.plus(HANDOFF_TTL)), now);
        return handoff;
    }

    /** {@code POST /api/auth/oidc/session}: the handoff (with the same browser cookie) → a session. */
    public LoginResponse session(String handoff, String browserSecret, String clientAddress) {
        String actor = "anonymous@" + clientAddress;
        if (handoff == null || handoff.isBlank() || handoff.length() > 200) {
            throw ApiException.badRequest("Field 'handoff' is required: the value the SSO callback put after #sso= in the dashboard URL.");
        }
        OidcStore.Handoff h = store.takeHandoff(Secrets.sha256Hex(handoff))
                .orElseThrow(() -> refused(actor, 401, "This SSO handoff is unknown, expired or already used; sign in again."));
        if (browserSecret == null || !Secrets.sha256Hex(browserSecret).equals(h.browserHash()) || !clock.instant().isBefore(h.expiresAt())) {
            throw refused(actor, 401, "This SSO handoff belongs to another browser or has expired; sign in again.");
        }
        UserStore.UserRow row = new UserStore(jdbi).findById(h.userId()).filter(u -> !u.disabled())
                .orElseThrow(() -> refused(actor, 403, "The account of this SSO login is disabled or was deleted."));
        return auth.issueSession(row, clientAddress, h.detail(), h.idpMfa());
    }

    /** Creates or updates the user of this identity (role and scope from the claims), in one transaction; refused ones change nothing. */
    private UUID provision(String issuer, String subject, Role role, IDTokenClaimsSet claims, String who) {
        Object scopeClaim = claims.getClaim(settings.scopeClaim());
        String email = email(claims, subject, issuer);
        // SSO users have no usable password: a random one, hashed (outside the transaction: it is slow) and forgotten.
        String unusablePassword = jdbi.withHandle(h -> OidcStore.userOf(h, issuer, subject)).isEmpty() ? hasher.hash(Secrets.newToken("pw")) : null;
        Change[] change = new Change[1];
        UUID id;
        // Two first logins of one identity at once on this node take turns: H2 refuses the second
        // insert while the first is still uncommitted, so a retry could run before the link is visible.
        synchronized (provisionLocks[Math.floorMod((issuer + "\n" + subject).hashCode(), provisionLocks.length)]) {
            try {
                id = provisionOnce(issuer, subject, role, scopeClaim, email, who, unusablePassword, change);
            } catch (UnableToExecuteStatementException e) {
                if (!Database.isUniqueViolation(e)) {
                    throw e;
                }
                // On two nodes (PostgreSQL): the other one created the user and committed (the insert waited
                // for it); this attempt now finds it linked.
                change[0] = null;
                id = provisionOnce(issuer, subject, role, scopeClaim, email, who, unusablePassword, change);
            }
        }
        if (change[0] != null) {
            // Committed on the callback, a GET: the account's other sessions must not keep the old role or scope.
            auth.callersMayChange();
            audit.record("sso:" + who, change[0].action(), change[0].target(), clip(change[0].detail()));
        }
        return id;
    }

    private UUID provisionOnce(String issuer, String subject, Role role, Object scopeClaim, String email, String who,
                               String unusablePassword, Change[] change) {
        try {
            return jdbi.inTransaction(h -> {
                OidcMapping.Mapped mapped = mapping.map(h, role, scopeClaim);
                Instant now = clock.instant();
                Optional<UUID> linked = OidcStore.userOf(h, issuer, subject);
                UUID userId;
                if (linked.isPresent()) {
                    userId = linked.get();
                    UserStore.UserRow row = h.createQuery("SELECT * FROM users WHERE id = :id").bind("id", userId).mapTo(UserStore.UserRow.class).one();
                    if (row.disabled()) {
                        throw ApiException.forbidden("The GuruRMM account of this SSO identity (" + row.email() + ") is disabled; ask an administrator.");
                    }
                    var before = ScopeStore.grants(h, userId);
                    h.createUpdate("UPDATE users SET role = :role WHERE id = :id").bind("role", role.wireName()).bind("id", userId).execute();
                    ScopeStore.replace(h, userId, mapped.scope());
                    OidcStore.touch(h, issuer, subject, now);
                    if (!row.role().equals(role.wireName()) || !sameGrants(before, mapped.scope())) {
                        change[0] = new Change("user.sso_mapping", row.email(), "role " + row.role() + " -> " + role.wireName()
                                + ", scope " + ScopeStore.describe(mapped.scope()));
                    }
                } else {
                    if (h.createQuery("SELECT COUNT(*) FROM users WHERE email = :email").bind("email", email).mapTo(Long.class).one() > 0) {
                        throw ApiException.conflict("A local account with e-mail " + email + " exists and is not linked to this SSO identity;"
                                + " an administrator must delete or rename it first (accounts are never linked by e-mail).");
                    }
                    userId = UUID.randomUUID();
                    String hash = unusablePassword != null ? unusablePassword : hasher.hash(Secrets.newToken("pw"));
                    UserStore.insert(h, new UserStore.UserRow(userId, email, hash, role.wireName(), false, now));
                    OidcStore.link(h, issuer, subject, userId, now);
                    ScopeStore.replace(h, userId, mapped.scope());
                    change[0] = new Change("user.create", email, "SSO " + who + ", role=" + role.wireName()
                            + (role == Role.ADMIN ? "" : " scope " + ScopeStore.describe(mapped.scope())));
                }
                if (!mapped.unknownScopeValues().isEmpty() && change[0] != null) {
                    change[0] = new Change(change[0].action(), change[0].target(),
                            change[0].detail() + ", skipped scope values naming nothing: " + mapped.unknownScopeValues());
                }
                return userId;
            });
        } catch (ApiException e) {
            audit.record("sso:" + who, "auth.sso_failed", issuer, e.getMessage());
            throw e;
        }
    }

    /** What a login changed, audited once the transaction committed. */
    private record Change(String action, String target, String detail) {
    }

    private static boolean sameGrants(com.gururmm.protocol.api.Auth.ScopeView a, com.gururmm.protocol.api.Auth.ScopeView b) {
        return Set.copyOf(a.clientIds()).equals(Set.copyOf(b.clientIds())) && Set.copyOf(a.siteIds()).equals(Set.copyOf(b.siteIds()));
    }

    private static String email(IDTokenClaimsSet claims, String subject, String issuer) {
        String email = claims.getStringClaim("email");
        if (email != null && email.matches("[^@\\s]{1,200}@[^@\\s]{1,119}")) {
            return email.trim().toLowerCase(Locale.ROOT);
        }
        // No usable e-mail claim: a stable name from the identity itself.
        String host = URI.create(issuer).getHost();
        String local = subject.replaceAll("[^A-Za-z0-9._-]", "_");
        return (local.length() > 64 ? Secrets.sha256Hex(subject).substring(0, 32) : local) + "@" + (host == null ? "sso" : host);
    }

    private ApiException refused(String actor, int status, String message) {
        audit.record(actor, "auth.sso_failed", settings.issuer(), message);
        String code = switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 409 -> "conflict";
            default -> "sso_provider_error";
        };
        return new ApiException(status, code, message);
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}

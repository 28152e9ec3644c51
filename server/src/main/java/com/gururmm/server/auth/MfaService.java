package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.LoginResponse;
import com.gururmm.protocol.api.Mfa.DisableRequest;
import com.gururmm.protocol.api.Mfa.Policy;
import com.gururmm.protocol.api.Mfa.RecoveryCodes;
import com.gururmm.protocol.api.Mfa.Status;
import com.gururmm.protocol.api.Mfa.TotpEnrollment;
import com.gururmm.protocol.api.Mfa.VerifyRequest;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.http.ApiException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * TOTP second factor (RFC 6238, {@link Totp}): enrolment, the second step of a login, recovery
 * codes, turning it off, and the admin's policy of which roles must have it.
 *
 * <p>Login with MFA: the password step ({@link AuthService#login}) answers a challenge, a random
 * token stored hashed in {@code mfa_challenges}, valid {@link #CHALLENGE_TTL}, single-use, and
 * spent after {@link #CHALLENGE_MAX_FAILURES} wrong codes. {@link #verify} completes it with a
 * current code (one step of clock drift either way is accepted) or a single-use recovery code.
 * A code is accepted at most once: the user's newest accepted step is stored, and only a later
 * step passes ({@link MfaStore#advanceStep}, atomic), so a code seen over a shoulder or in a
 * proxy log is worthless once used. A wrong code counts as a failed login in the
 * {@link LoginThrottle} (and a correct password with MFA pending counts as neither, so logging in
 * again does not wipe the count of wrong codes), and is audited.
 *
 * <p>Policy: a user whose role is in {@code mfa_required_roles} and who has no active TOTP gets
 * no session: the password step answers an {@code enroll} challenge instead, with which the user
 * sets TOTP up ({@link #enrollAtLogin}) and whose first code completes both the enrolment and the
 * login. Sessions that such a user already holds stop working ({@link #checkSessionAllowed}).
 */
public final class MfaService {
    static final Duration CHALLENGE_TTL = Duration.ofMinutes(5);
    static final int CHALLENGE_MAX_FAILURES = 5;
    static final int RECOVERY_CODES = 10;
    static final int DRIFT_STEPS = 1;
    private static final String ISSUER = "GuruRMM";
    private static final Duration POLICY_CACHE = Duration.ofSeconds(10);

    private final MfaStore store;
    private final UserStore users;
    private final AuthService auth;
    private final SecretBox box;
    private final AuditLog audit;
    private final Clock clock;
    private volatile Set<Role> policy;
    private volatile Instant policyReadAt = Instant.EPOCH;

    public MfaService(org.jdbi.v3.core.Jdbi jdbi, AuthService auth, SecretBox box, AuditLog audit, Clock clock) {
        this.store = new MfaStore(jdbi);
        this.users = new UserStore(jdbi);
        this.auth = auth;
        this.box = box;
        this.audit = audit;
        this.clock = clock;
        auth.useMfa(this);
    }

    // --- the login path ---

    /** Called by the password step once the password was right: a challenge to answer, or null when no second step is needed. */
    LoginResponse challengeFor(UserStore.UserRow user) {
        boolean active = store.totp(user.id()).map(MfaStore.TotpRow::active).orElse(false);
        String kind;
        if (active) {
            kind = "verify";
        } else if (requiredRoles().contains(role(user))) {
            kind = "enroll";
        } else {
            return null;
        }
        String token = Secrets.newToken("mfa");
        Instant now = clock.instant();
        Instant expires = now.plus(CHALLENGE_TTL);
        store.insertChallenge(Secrets.sha256Hex(token), user.id(), kind, now, expires);
        return LoginResponse.challenge(token, expires, kind.equals("enroll"));
    }

    /** {@code POST /api/auth/mfa/verify}: the second step of a login. */
    public LoginResponse verify(VerifyRequest request, String clientAddress) {
        Bodies.requireToken(request == null ? null : request.mfaToken());
        boolean withCode = request.code() != null && !request.code().isEmpty();
        boolean withRecovery = request.recoveryCode() != null && !request.recoveryCode().isEmpty();
        if (withCode == withRecovery) {
            throw ApiException.badRequest("Send exactly one of 'code' (the 6 digits of your authenticator app) and 'recovery_code'.");
        }
        if ((withCode && request.code().length() > 20) || (withRecovery && request.recoveryCode().length() > 64)) {
            throw ApiException.badRequest("'code' or 'recovery_code' is longer than any valid code.");
        }
        String tokenHash = Secrets.sha256Hex(request.mfaToken());
        MfaStore.ChallengeRow challenge = liveChallenge(tokenHash, clientAddress);
        UserStore.UserRow user = users.findById(challenge.userId()).filter(u -> !u.disabled())
                .orElseThrow(() -> ApiException.unauthorized("The account of this login is disabled or gone."));
        boolean enrolling = challenge.kind().equals("enroll");
        if (enrolling && withRecovery) {
            throw ApiException.badRequest("This login sets MFA up: answer with a 'code' from the authenticator you just added.");
        }
        LoginThrottle.Attempt attempt = auth.admit(user.email(), clientAddress);
        try {
            MfaStore.TotpRow totp = store.totp(user.id()).filter(t -> enrolling != t.active())
                    .orElseThrow(() -> enrolling
                            ? ApiException.badRequest("Start the set-up first: POST /api/auth/mfa/login-enroll with this mfa_token.")
                            : ApiException.unauthorized("MFA of this account was reset meanwhile; log in again."));
            Instant now = clock.instant();
            List<String> recoveryCodes = enrolling ? newRecoveryCodes() : null;
            String refusal = store.jdbi().inTransaction(h -> {
                String why = null;
                if (withCode) {
                    long step = Totp.matchingStep(open(totp), request.code().trim(), now, DRIFT_STEPS);
                    if (step < 0) {
                        why = "wrong";
                    } else if (!MfaStore.advanceStep(h, user.id(), step)) {
                        why = "replayed";
                    }
                } else if (!MfaStore.useRecoveryCode(h, user.id(), recoveryHash(request.recoveryCode()), now)) {
                    why = "wrong recovery code";
                }
                if (why == null && !MfaStore.consumeChallenge(h, tokenHash, now)) {
                    why = "challenge already used";
                }
                if (why == null && enrolling) {
                    MfaStore.confirm(h, user.id(), now, recoveryCodes.stream().map(MfaService::recoveryHash).toList());
                }
                if (why != null) {
                    h.rollback();
                }
                return why;
            });
            if (refusal != null) {
                attempt.failed();
                store.challengeFailed(tokenHash, CHALLENGE_MAX_FAILURES, now);
                audit.record("anonymous@" + clientAddress, refusal.equals("replayed") ? "auth.mfa_replayed" : "auth.mfa_failed",
                        user.email(), refusal + ", from " + clientAddress);
                throw ApiException.unauthorized(refusal.equals("replayed")
                        ? "This code was already used; wait for the next one of your authenticator app."
                        : "The " + (withCode ? "code" : "recovery code") + " is wrong.");
            }
            attempt.succeeded();
            if (enrolling) {
                audit.record(user.email(), "auth.mfa_enabled", user.email(), "TOTP, set up at login (required by policy)");
            }
            if (withRecovery) {
                audit.record(user.email(), "auth.mfa_recovery_code_used", user.email(), store.recoveryCodesLeft(user.id()) + " left");
            }
            LoginResponse session = auth.issueSession(user, clientAddress, withCode ? "with TOTP" : "with a recovery code");
            return enrolling ? new LoginResponse(session.token(), session.expiresAt(), session.user(), false, null, false, recoveryCodes)
                    : session;
        } finally {
            attempt.settle();
        }
    }

    /** {@code POST /api/auth/mfa/login-enroll}: starts TOTP set-up for the user of an {@code enroll} challenge. */
    public TotpEnrollment enrollAtLogin(String mfaToken, String clientAddress) {
        Bodies.requireToken(mfaToken);
        MfaStore.ChallengeRow challenge = liveChallenge(Secrets.sha256Hex(mfaToken), clientAddress);
        if (!challenge.kind().equals("enroll")) {
            throw ApiException.badRequest("This login already has MFA; answer it with POST /api/auth/mfa/verify.");
        }
        UserStore.UserRow user = users.findById(challenge.userId()).filter(u -> !u.disabled())
                .orElseThrow(() -> ApiException.unauthorized("The account of this login is disabled or gone."));
        return startEnrolment(user);
    }

    private MfaStore.ChallengeRow liveChallenge(String tokenHash, String clientAddress) {
        MfaStore.ChallengeRow challenge = store.challenge(tokenHash).orElse(null);
        if (challenge == null || challenge.usedAt() != null || !clock.instant().isBefore(challenge.expiresAt())) {
            audit.record("anonymous@" + clientAddress, "auth.mfa_failed", challenge == null ? "(unknown mfa_token)" : challenge.userId().toString(),
                    "unknown, used or expired mfa_token");
            throw ApiException.unauthorized("The mfa_token is unknown, used or expired; log in again with your password.");
        }
        return challenge;
    }

    /** Refuses a session of a user whom the policy requires to have MFA and who has none (a 401 that says so). */
    void checkSessionAllowed(UUID userId, Role role) {
        if (requiredRoles().contains(role) && !store.totp(userId).map(MfaStore.TotpRow::active).orElse(false)) {
            throw ApiException.unauthorized("MFA is required for the " + role.wireName() + " role; log in again to set it up.");
        }
    }

    // --- the signed-in user's own MFA ---

    public Status status(Principal p) {
        MfaStore.TotpRow totp = store.totp(p.userId()).orElse(null);
        return new Status(totp != null && totp.active(), totp != null && !totp.active(),
                totp != null && totp.active() ? store.recoveryCodesLeft(p.userId()) : 0, requiredRoles().contains(p.role()));
    }

    /**
     * {@code POST /api/auth/mfa/totp/enroll}: needs the current password (throttled like a login),
     * so a stolen session token alone cannot bind an attacker's authenticator to the account.
     */
    public TotpEnrollment enroll(Principal p, String password, String clientAddress) {
        if (password == null || password.isEmpty() || password.length() > 1024) {
            throw ApiException.badRequest("Field 'password' is required to set up MFA: your current password.");
        }
        UserStore.UserRow user = users.findById(p.userId()).orElseThrow(() -> ApiException.unauthorized("The account behind this token no longer exists."));
        LoginThrottle.Attempt attempt = auth.admit(user.email(), clientAddress);
        try {
            if (!auth.passwordMatches(password, user)) {
                attempt.failed();
                audit.record(p.name(), "auth.mfa_enroll_failed", p.name(), "wrong password, from " + clientAddress);
                throw ApiException.forbidden("The password is wrong; MFA was not set up.");
            }
            attempt.succeeded();
        } finally {
            attempt.settle();
        }
        return startEnrolment(user);
    }

    private TotpEnrollment startEnrolment(UserStore.UserRow user) {
        if (store.totp(user.id()).map(MfaStore.TotpRow::active).orElse(false)) {
            throw ApiException.conflict("MFA is already active for " + user.email() + "; turn it off first (DELETE /api/auth/mfa/totp) to enrol a new authenticator.");
        }
        byte[] secret = Secrets.randomBytes(Totp.SECRET_BYTES);
        store.startEnrolment(user.id(), box.seal(secret, user.id().toString()), clock.instant());
        audit.record(user.email(), "auth.mfa_enroll_started", user.email(), "TOTP");
        String base32 = Totp.base32(secret);
        String label = ISSUER + ":" + URLEncoder.encode(user.email(), StandardCharsets.UTF_8).replace("+", "%20");
        String uri = "otpauth://totp/" + label + "?secret=" + base32 + "&issuer=" + ISSUER
                + "&algorithm=SHA1&digits=" + Totp.DIGITS + "&period=" + Totp.STEP_SECONDS;
        return new TotpEnrollment(base32, uri, QrCodes.svgDataUri(uri));
    }

    /** {@code POST /api/auth/mfa/totp/confirm}: the first code proves the app has the secret; answers the recovery codes, once. */
    public RecoveryCodes confirm(Principal p, String code) {
        if (code == null || code.isBlank() || code.length() > 20) {
            throw ApiException.badRequest("Field 'code' is required: the 6 digits your authenticator app shows.");
        }
        MfaStore.TotpRow totp = store.totp(p.userId()).filter(t -> !t.active())
                .orElseThrow(() -> ApiException.conflict("There is no MFA enrolment to confirm; start one with POST /api/auth/mfa/totp/enroll."));
        Instant now = clock.instant();
        List<String> codes = newRecoveryCodes();
        boolean ok = store.jdbi().inTransaction(h -> {
            long step = Totp.matchingStep(open(totp), code.trim(), now, DRIFT_STEPS);
            if (step < 0 || !MfaStore.advanceStep(h, p.userId(), step)) {
                h.rollback();
                return false;
            }
            MfaStore.confirm(h, p.userId(), now, codes.stream().map(MfaService::recoveryHash).toList());
            return true;
        });
        if (!ok) {
            audit.record(p.name(), "auth.mfa_confirm_failed", p.name(), "wrong code");
            throw ApiException.badRequest("The code is wrong; check the authenticator app's clock and enter the current code.");
        }
        audit.record(p.name(), "auth.mfa_enabled", p.name(), "TOTP");
        return new RecoveryCodes(codes);
    }

    /** {@code DELETE /api/auth/mfa/totp}: needs the password and a current code (or a recovery code). */
    public void disable(Principal p, DisableRequest request, String clientAddress) {
        if (request == null || request.password() == null || request.password().isEmpty() || request.password().length() > 1024) {
            throw ApiException.badRequest("Field 'password' is required to turn MFA off, with 'code' (or 'recovery_code').");
        }
        boolean withCode = request.code() != null && !request.code().isEmpty();
        boolean withRecovery = request.recoveryCode() != null && !request.recoveryCode().isEmpty();
        if (withCode == withRecovery || (withCode && request.code().length() > 20) || (withRecovery && request.recoveryCode().length() > 64)) {
            throw ApiException.badRequest("Send exactly one of 'code' (the 6 digits of your authenticator app) and 'recovery_code'.");
        }
        if (requiredRoles().contains(p.role())) {
            throw ApiException.conflict("MFA is required for the " + p.role().wireName() + " role (GET /api/settings/mfa); it cannot be turned off.");
        }
        UserStore.UserRow user = users.findById(p.userId()).orElseThrow(() -> ApiException.unauthorized("The account behind this token no longer exists."));
        MfaStore.TotpRow totp = store.totp(p.userId()).filter(MfaStore.TotpRow::active)
                .orElseThrow(() -> ApiException.conflict("MFA is not active for " + user.email() + "."));
        LoginThrottle.Attempt attempt = auth.admit(user.email(), clientAddress);
        try {
            Instant now = clock.instant();
            boolean passwordOk = auth.passwordMatches(request.password(), user);
            boolean ok = passwordOk && store.jdbi().inTransaction(h -> {
                boolean passed = withCode
                        ? advance(h, totp, request.code().trim(), now)
                        : MfaStore.useRecoveryCode(h, p.userId(), recoveryHash(request.recoveryCode()), now);
                if (!passed) {
                    h.rollback();
                }
                return passed;
            });
            if (!ok) {
                attempt.failed();
                audit.record(p.name(), "auth.mfa_disable_failed", p.name(), (passwordOk ? "wrong or replayed code" : "wrong password")
                        + ", from " + clientAddress);
                throw ApiException.forbidden("The password or the code is wrong; MFA stays on.");
            }
            attempt.succeeded();
        } finally {
            attempt.settle();
        }
        store.remove(p.userId());
        audit.record(p.name(), "auth.mfa_disabled", p.name(), "from " + clientAddress);
    }

    private boolean advance(org.jdbi.v3.core.Handle h, MfaStore.TotpRow totp, String code, Instant now) {
        long step = Totp.matchingStep(open(totp), code, now, DRIFT_STEPS);
        return step >= 0 && MfaStore.advanceStep(h, totp.userId(), step);
    }

    /**
     * {@code DELETE /api/users/{id}/mfa}: an admin removes another user's MFA (a lost phone); the
     * user's sessions end, and they log in again (and enrol again where MFA is required).
     */
    public void reset(Principal admin, UUID userId) {
        UserStore.UserRow user = users.findById(userId).orElseThrow(() -> ApiException.notFound("user", userId));
        // A reset usually follows a lost or stolen phone: whoever holds a session that the old
        // factor let in must log in again, as after a password reset.
        int[] ended = new int[1];
        boolean had = store.jdbi().inTransaction(h -> {
            boolean removed = MfaStore.remove(h, userId);
            ended[0] = SessionStore.revokeAll(h, userId, clock.instant());
            return removed;
        });
        audit.record(admin.name(), "auth.mfa_reset", user.email(),
                (had ? "TOTP and recovery codes removed" : "had no MFA") + ", " + ended[0] + " session(s) ended");
    }

    // --- policy ---

    public Policy policy() {
        return new Policy(requiredRoles().stream().map(Role::wireName).sorted().toList());
    }

    /** {@code PUT /api/settings/mfa}. The admin must have MFA before requiring it of their own role (no lock-out by accident). */
    public Policy setPolicy(Principal admin, Policy request) {
        if (request == null || request.requiredRoles() == null) {
            throw ApiException.badRequest("Field 'required_roles' is required: a list of admin, technician, viewer (empty: MFA optional).");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : request.requiredRoles()) {
            roles.add(Role.parse(name).orElseThrow(() -> ApiException.badRequest("Field 'required_roles' holds '"
                    + (name == null ? "null" : com.gururmm.server.http.Bodies.truncate(name)) + "'; roles are admin, technician and viewer.")));
        }
        if (roles.contains(admin.role()) && !store.totp(admin.userId()).map(MfaStore.TotpRow::active).orElse(false)) {
            throw ApiException.conflict("Set up MFA for your own account first (POST /api/auth/mfa/totp/enroll): this policy would lock you out.");
        }
        List<String> names = roles.stream().map(Role::wireName).sorted().toList();
        store.setRequiredRoles(names, admin.name(), clock.instant());
        policy = Set.copyOf(roles);
        policyReadAt = clock.instant();
        audit.record(admin.name(), "settings.mfa", "mfa", "required_roles=" + names);
        return new Policy(names);
    }

    /** Cached for {@link #POLICY_CACHE}, so another node's change applies within seconds without a query per request. */
    Set<Role> requiredRoles() {
        Instant now = clock.instant();
        Set<Role> cached = policy;
        if (cached == null || now.isAfter(policyReadAt.plus(POLICY_CACHE))) {
            Set<Role> read = EnumSet.noneOf(Role.class);
            store.requiredRoles().forEach(r -> Role.parse(r).ifPresent(read::add));
            cached = Set.copyOf(read);
            policy = cached;
            policyReadAt = now;
        }
        return cached;
    }

    // --- helpers ---

    private byte[] open(MfaStore.TotpRow totp) {
        return box.open(totp.secretSealed(), totp.userId().toString());
    }

    private static Role role(UserStore.UserRow user) {
        return Role.parse(user.role()).orElse(Role.VIEWER);
    }

    /** Ten codes like {@code k3m9q-7xw2p}: 50 random bits each, base32, lower case. */
    static List<String> newRecoveryCodes() {
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            String raw = Totp.base32(Secrets.randomBytes(7)).substring(0, 10).toLowerCase(Locale.ROOT);
            codes.add(raw.substring(0, 5) + "-" + raw.substring(5));
        }
        return codes;
    }

    /** Case, spaces and dashes do not matter when a recovery code is typed. */
    static String recoveryHash(String code) {
        return Secrets.sha256Hex(code.toLowerCase(Locale.ROOT).replaceAll("[\\s-]", ""));
    }

    /** Input checks shared by the routes taking an {@code mfa_token}. */
    private static final class Bodies {
        static void requireToken(String token) {
            if (token == null || token.isBlank()) {
                throw ApiException.badRequest("Field 'mfa_token' is required: the one POST /api/auth/login answered.");
            }
            if (token.length() > 200) {
                throw ApiException.badRequest("Field 'mfa_token' is longer than any token this server issues.");
            }
        }
    }
}

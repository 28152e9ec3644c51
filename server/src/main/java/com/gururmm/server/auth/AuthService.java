package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.CreateUserRequest;
import com.gururmm.protocol.api.Auth.LoginResponse;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** Logins, bearer-token checks and the first admin. */
public final class AuthService {
    private final UserStore users;
    private final PasswordHasher hasher;
    private final JwtService jwt;
    private final AuditLog audit;
    private final Clock clock;
    private final LoginThrottle throttle;
    /** Verified against when the e-mail is unknown, so timing does not reveal which e-mails exist. */
    private final String decoyHash;

    public AuthService(UserStore users, PasswordHasher hasher, JwtService jwt, AuditLog audit, Clock clock) {
        this.users = users;
        this.hasher = hasher;
        this.jwt = jwt;
        this.audit = audit;
        this.clock = clock;
        this.throttle = new LoginThrottle(clock);
        this.decoyHash = hasher.hash(UUID.randomUUID().toString());
    }

    public LoginResponse login(String email, String password, String clientAddress) {
        if (email == null || email.isBlank() || password == null || password.isEmpty()) {
            throw ApiException.badRequest("Fields 'email' and 'password' are required.");
        }
        if (email.length() > 320 || password.length() > 1024) {
            throw ApiException.badRequest("'email' or 'password' is longer than allowed.");
        }
        String normalised = email.trim().toLowerCase(Locale.ROOT);
        String emailKey = "email:" + normalised;
        String addressKey = "ip:" + clientAddress;
        // Reserve the attempt before the (slow) password check, so parallel guesses cannot all slip
        // past a check that only counts failures once they are known.
        if (!throttle.tryAcquire(emailKey) || !throttle.tryAcquire(addressKey)) {
            throw ApiException.rateLimited("Too many failed logins; wait " + LoginThrottle.WINDOW.toMinutes() + " minutes and try again.");
        }
        Optional<UserStore.UserRow> user = users.findByEmail(normalised);
        boolean ok;
        if (user.isPresent()) {
            ok = hasher.verify(password, user.get().passwordHash()) && !user.get().disabled();
        } else {
            hasher.verify(password, decoyHash); // same cost as a real check
            ok = false;
        }
        if (!ok) {
            audit.record("anonymous@" + clientAddress, "auth.login_failed", normalised, null);
            throw ApiException.unauthorized("E-mail or password is wrong.");
        }
        throttle.recordSuccess(emailKey);
        throttle.recordSuccess(addressKey);
        UserStore.UserRow row = user.get();
        Role role = Role.parse(row.role()).orElse(Role.VIEWER);
        JwtService.Issued issued = jwt.issue(row.id(), row.email(), role);
        audit.record(row.email(), "auth.login", row.email(), "from " + clientAddress);
        return new LoginResponse(issued.token(), issued.expiresAt(), new UserView(row.id(), row.email(), role.wireName()));
    }

    /** The caller behind an {@code Authorization} header value; 401 if missing or invalid. */
    public Principal authenticate(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("This route needs 'Authorization: Bearer <token>'; get a token from POST /api/auth/login.");
        }
        String token = authorizationHeader.substring(7).trim();
        UUID userId = jwt.verify(token);
        UserStore.UserRow row = users.findById(userId)
                .filter(u -> !u.disabled())
                .orElseThrow(() -> ApiException.unauthorized("The account behind this token no longer exists or is disabled."));
        return new Principal(row.id(), row.email(), Role.parse(row.role()).orElse(Role.VIEWER));
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
        if (users.findByEmail(email).isPresent()) {
            throw ApiException.conflict("A user with e-mail " + email + " already exists.");
        }
        UUID id = UUID.randomUUID();
        users.insert(new UserStore.UserRow(id, email, hasher.hash(request.password()), role.wireName(), false, clock.instant()));
        audit.record(actor.name(), "user.create", email, "role=" + role.wireName());
        return new UserView(id, email, role.wireName());
    }

    public java.util.List<UserView> listUsers() {
        return users.list().stream().map(u -> new UserView(u.id(), u.email(), u.role())).toList();
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

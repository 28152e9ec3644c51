package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Bodies of {@code /api/auth}. */
public final class Auth {
    private Auth() {
    }

    public record LoginRequest(String email, String password) {
    }

    /**
     * The answer of {@code POST /api/auth/login} and of the MFA steps. With MFA active (or required
     * by the policy and not yet enrolled) the password step answers {@code mfa_required: true} and
     * an {@code mfa_token} instead of a session ({@code token} null); {@code POST /api/auth/mfa/verify}
     * completes it. {@code recovery_codes}: only when that completion also finished an enrolment.
     */
    public record LoginResponse(String token, Instant expiresAt, UserView user, boolean mfaRequired, String mfaToken,
                                boolean mfaEnrollmentRequired, java.util.List<String> recoveryCodes) {
        public LoginResponse(String token, Instant expiresAt, UserView user) {
            this(token, expiresAt, user, false, null, false, null);
        }

        /** The second step: no session yet, an MFA token to complete the login with. */
        public static LoginResponse challenge(String mfaToken, Instant expiresAt, boolean enrollmentRequired) {
            return new LoginResponse(null, expiresAt, null, true, mfaToken, enrollmentRequired, null);
        }
    }

    public record UserView(UUID id, String email, String role) {
    }

    /**
     * {@code POST /api/users}; role is admin, technician or viewer. {@code scope} (technician and
     * viewer only) names the clients and/or sites the user may see; absent or empty: nothing.
     */
    public record CreateUserRequest(String email, String password, String role, ScopeView scope) {
        public CreateUserRequest(String email, String password, String role) {
            this(email, password, role, null);
        }
    }

    /**
     * A user's scope: whole clients and single sites. Admins are global and always show an empty
     * scope; a technician or viewer with an empty scope sees nothing.
     */
    public record ScopeView(List<UUID> clientIds, List<UUID> siteIds) {
    }

    /**
     * {@code POST /api/users/{id}/reset-password}: {@code password} sets it; absent, the server
     * generates one and returns it once. Every session of the user ends.
     */
    public record ResetPasswordRequest(String password) {
    }

    /** {@code password} is present only when the server generated it. */
    public record ResetPasswordResponse(UUID id, String email, String password, int sessionsEnded) {
    }

    /** {@code POST /api/auth/password}: every other session of the user ends; the answer carries a fresh token. */
    public record ChangePasswordRequest(String currentPassword, String newPassword) {
    }

    /** {@code PATCH /api/users/{id}}: any of the fields; an absent one is left as it is. */
    public record UpdateUserRequest(Boolean disabled, String role, ScopeView scope) {
        public UpdateUserRequest(Boolean disabled, String role) {
            this(disabled, role, null);
        }
    }

    /** A user as {@code GET /api/users} and {@code PATCH /api/users/{id}} show it to an admin. */
    public record UserDetail(UUID id, String email, String role, boolean disabled, Instant createdAt, ScopeView scope) {
        public UserDetail(UUID id, String email, String role, boolean disabled, Instant createdAt) {
            this(id, email, role, disabled, createdAt, null);
        }
    }
}

package com.gururmm.protocol.api;

import java.time.Instant;
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

    /** {@code POST /api/users}; role is admin, technician or viewer. */
    public record CreateUserRequest(String email, String password, String role) {
    }

    /** {@code POST /api/auth/password}: every other session of the user ends; the answer carries a fresh token. */
    public record ChangePasswordRequest(String currentPassword, String newPassword) {
    }

    /** {@code PATCH /api/users/{id}}: any of the fields; an absent one is left as it is. */
    public record UpdateUserRequest(Boolean disabled, String role) {
    }

    /** A user as {@code GET /api/users} and {@code PATCH /api/users/{id}} show it to an admin. */
    public record UserDetail(UUID id, String email, String role, boolean disabled, Instant createdAt) {
    }
}

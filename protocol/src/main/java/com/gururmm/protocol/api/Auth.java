package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.UUID;

/** Bodies of {@code /api/auth}. */
public final class Auth {
    private Auth() {
    }

    public record LoginRequest(String email, String password) {
    }

    public record LoginResponse(String token, Instant expiresAt, UserView user) {
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

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
}

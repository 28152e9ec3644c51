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
}

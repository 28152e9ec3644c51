package com.gururmm.cli.config;

import java.time.Instant;

/**
 * A session token the server issued, cached so later commands need no password; {@code fingerprint}:
 * the server certificate's SHA-256 pinned at login ({@code --fingerprint}), null for the system trust store.
 * {@code apiKey}: the token is an API key ({@code login --api-key-stdin}), not a session; null or false: a session.
 */
public record SavedLogin(String email, String token, Instant expiresAt, String fingerprint, Boolean apiKey) {
    public SavedLogin {
        // One spelling of "a session", however the file said it (absent, null, false).
        apiKey = Boolean.TRUE.equals(apiKey) ? Boolean.TRUE : null;
    }

    public SavedLogin(String email, String token, Instant expiresAt) {
        this(email, token, expiresAt, null);
    }

    public SavedLogin(String email, String token, Instant expiresAt, String fingerprint) {
        this(email, token, expiresAt, fingerprint, null);
    }

    public boolean isApiKey() {
        return Boolean.TRUE.equals(apiKey);
    }

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}

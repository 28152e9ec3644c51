package com.gururmm.cli.config;

import java.time.Instant;

/**
 * A session token the server issued, cached so later commands need no password; {@code fingerprint}:
 * the server certificate's SHA-256 pinned at login ({@code --fingerprint}), null for the system trust store.
 */
public record SavedLogin(String email, String token, Instant expiresAt, String fingerprint) {
    public SavedLogin(String email, String token, Instant expiresAt) {
        this(email, token, expiresAt, null);
    }

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}

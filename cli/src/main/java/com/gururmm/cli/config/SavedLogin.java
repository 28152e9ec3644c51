package com.gururmm.cli.config;

import java.time.Instant;

/** A session token the server issued, cached so later commands need no password. */
public record SavedLogin(String email, String token, Instant expiresAt) {

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}

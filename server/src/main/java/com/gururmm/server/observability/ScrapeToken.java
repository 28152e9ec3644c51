package com.gururmm.server.observability;

import com.gururmm.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The bearer token Prometheus presents at {@code GET /metrics} instead of a user's session
 * ({@code GURURMM_METRICS_TOKEN_FILE}: a file holding the token, read once at start). Only that
 * route accepts it; it grants nothing else. Compared in constant time over SHA-256 digests, so
 * neither the token's content nor its length leaks through timing.
 */
public final class ScrapeToken {
    /** Long enough that guessing is hopeless; {@code openssl rand -hex 32} gives 64 characters. */
    static final int MIN_LENGTH = 32;
    private final byte[] digest;

    private ScrapeToken(String token) {
        this.digest = sha256(token);
    }

    /** No file configured: only admins' sessions can scrape. */
    public static Optional<ScrapeToken> load(String file) {
        if (file == null || file.isBlank()) {
            return Optional.empty();
        }
        Path path = Path.of(file);
        String token;
        try {
            token = Files.readString(path, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new ConfigException("GURURMM_METRICS_TOKEN_FILE is " + path + ", which cannot be read (" + e.getMessage()
                    + "); create it with the scrape token (e.g. openssl rand -hex 32 > " + path + ") or unset the variable.");
        }
        if (token.length() < MIN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new ConfigException("GURURMM_METRICS_TOKEN_FILE " + path + " must hold one token of at least " + MIN_LENGTH
                    + " printable ASCII characters with no spaces (e.g. openssl rand -hex 32 > " + path + ").");
        }
        return Optional.of(new ScrapeToken(token));
    }

    /** True when {@code authorization} is {@code Bearer <this token>}. */
    public boolean matches(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(authorization.substring(7).trim()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

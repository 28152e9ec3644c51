package com.gururmm.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Bearer secrets (agent credentials, enrollment tokens, API keys): 256 random bits shown
 * once, stored only as their SHA-256. A fast hash is enough here because the input is
 * random, unlike a password (see {@link PasswordHasher}).
 */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** A new secret such as {@code grmm_agent_<43 url-safe chars>}; the prefix helps secret scanners. */
    public static String newToken(String kind) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "grmm_" + kind + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    public static String sha256Hex(String secret) {
        return sha256Hex(secret.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    public static boolean sameHash(String hexA, String hexB) {
        if (hexA == null || hexB == null) {
            return false;
        }
        return MessageDigest.isEqual(hexA.getBytes(StandardCharsets.US_ASCII), hexB.getBytes(StandardCharsets.US_ASCII));
    }
}

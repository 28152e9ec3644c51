package com.gururmm.server.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals small secrets that the server must read back (TOTP seeds) before they go into the
 * database: AES-256-GCM with a key kept in a 0600 file beside the session signing key
 * ({@code <data dir>/mfa-secret.key}, or {@code GURURMM_MFA_KEY_FILE}), so a database dump or
 * backup alone does not reveal anyone's second factor. Output: {@code v1:} + base64 of a random
 * 96-bit nonce followed by ciphertext and tag. The user id is bound as associated data, so a
 * sealed secret copied onto another user's row does not open there.
 */
public final class SecretBox {
    private static final String PREFIX = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private final SecretKeySpec key;

    public SecretBox(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("the MFA secret key needs 32 bytes");
        }
        this.key = new SecretKeySpec(java.util.Arrays.copyOf(key, 32), "AES");
    }

    public String seal(byte[] plain, String boundTo) {
        try {
            byte[] nonce = Secrets.randomBytes(NONCE_BYTES);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JDK", e);
        }
    }

    /** The plain bytes; IllegalStateException when the key is not the one it was sealed with, or the text was altered. */
    public byte[] open(String sealed, String boundTo) {
        if (sealed == null || !sealed.startsWith(PREFIX)) {
            throw new IllegalStateException("not a sealed secret");
        }
        try {
            byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a sealed MFA secret does not open with this server's MFA key (GURURMM_MFA_KEY_FILE); "
                    + "was the key file replaced? The user's MFA must be reset by an admin.", e);
        }
    }
}

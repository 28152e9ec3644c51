package com.gururmm.server.auth;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TOTP as RFC 6238 defines it (<a href="https://www.rfc-editor.org/rfc/rfc6238">RFC 6238</a>, on
 * HOTP, <a href="https://www.rfc-editor.org/rfc/rfc4226">RFC 4226</a>): HMAC-SHA1, 30-second
 * steps counted from the Unix epoch, 6 digits: the parameters every authenticator app assumes
 * when the {@code otpauth://} URI names none. Built on the JDK's HMAC, so the algorithm is a
 * dozen lines that the RFC's test vectors check ({@code TotpTest}).
 *
 * <p>Also base32 (RFC 4648, no padding), the alphabet the {@code secret} parameter of an
 * {@code otpauth://} URI is written in.
 */
public final class Totp {
    public static final int STEP_SECONDS = 30;
    public static final int DIGITS = 6;
    /** 160 bits, the HMAC-SHA1 block-friendly length RFC 4226 recommends. */
    public static final int SECRET_BYTES = 20;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private Totp() {
    }

    /** The time step {@code at} falls in. */
    public static long step(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), STEP_SECONDS);
    }

    /** The {@link #DIGITS}-digit HMAC-SHA1 code of {@code step}. */
    public static String code(byte[] secret, long step) {
        return code(secret, step, "HmacSHA1", DIGITS);
    }

    /** RFC 4226 section 5.3 (dynamic truncation) over the big-endian step counter. */
    public static String code(byte[] secret, long step, String hmac, int digits) {
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(secret, hmac));
            byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int offset = h[h.length - 1] & 0x0f;
            int binary = ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16) | ((h[offset + 2] & 0xff) << 8) | (h[offset + 3] & 0xff);
            int modulo = 1;
            for (int i = 0; i < digits; i++) {
                modulo *= 10;
            }
            String text = Integer.toString(binary % modulo);
            return "0".repeat(digits - text.length()) + text;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hmac + " is missing from this JDK", e);
        }
    }

    /**
     * The step, within {@code drift} steps of {@code now}'s, whose code {@code code} is; -1 if none.
     * Every candidate is computed and compared in constant time, so timing does not tell which
     * step (or how many digits) matched.
     */
    public static long matchingStep(byte[] secret, String code, Instant now, int drift) {
        if (code == null || !code.matches("[0-9]{" + DIGITS + "}")) {
            return -1;
        }
        long current = step(now);
        long found = -1;
        for (long s = current - drift; s <= current + drift; s++) {
            if (java.security.MessageDigest.isEqual(code(secret, s).getBytes(), code.getBytes()) && found < 0) {
                found = s;
            }
        }
        return found;
    }

    public static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }

    /** Decodes base32, ignoring case, spaces and '=' padding; throws IllegalArgumentException on other characters. */
    public static byte[] fromBase32(String text) {
        String clean = text.replace(" ", "").replace("=", "").toUpperCase(Locale.ROOT);
        ByteBuffer out = ByteBuffer.allocate(clean.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (char c : clean.toCharArray()) {
            int v = BASE32.indexOf(c);
            if (v < 0) {
                throw new IllegalArgumentException("not base32: '" + c + "'");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.put((byte) (buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return out.array();
    }
}

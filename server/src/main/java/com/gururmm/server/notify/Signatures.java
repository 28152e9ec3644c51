package com.gururmm.server.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures: {@code X-GuruRMM-Signature: sha256=<hex>} where the hex is
 * HMAC-SHA256(secret, timestamp + "." + raw body) and {@code timestamp} is the value of
 * {@code X-GuruRMM-Timestamp} (Unix seconds). Because the timestamp is signed, a receiver that
 * refuses timestamps older than a few minutes cannot be replayed an old, validly signed body.
 */
public final class Signatures {
    public static final String SIGNATURE_HEADER = "X-GuruRMM-Signature";
    public static final String TIMESTAMP_HEADER = "X-GuruRMM-Timestamp";
    public static final String DELIVERY_HEADER = "X-GuruRMM-Delivery";

    private Signatures() {
    }

    /** The header value for {@code body} sent at {@code timestampSeconds}. */
    public static String sign(String secret, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}

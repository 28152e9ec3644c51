package com.gururmm.protocol.tls;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Certificate pinning by SHA-256 fingerprint, shared by the agent and the client/CLI
 * (docs/OPERATIONS.md, "TLS"): an {@link SSLContext} that trusts exactly the certificate whose
 * DER encoding hashes to the pin, whoever signed it and whatever names it holds. The name check
 * is skipped on purpose (a custom {@link X509ExtendedTrustManager} does not run the JDK's
 * endpoint identification): the pin is stronger than a name, and a self-signed server is
 * reached by address.
 */
public final class CertificatePins {
    private CertificatePins() {
    }

    /** {@code AB:CD:..}, {@code abcd..} or {@code SHA256:abcd..} as 64 lower-case hex digits; IllegalArgumentException otherwise. */
    public static String normalizeFingerprint(String text) {
        String hex = text.trim().replaceFirst("(?i)^sha-?256[:=]?", "").replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("'" + text + "' is not a SHA-256 fingerprint; copy it from the"
                    + " server's start-up banner or GET /api/server/tls (64 hex digits, colons optional).");
        }
        return hex;
    }

    public static String fingerprint(X509Certificate certificate) throws CertificateException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An SSLContext trusting only the certificate {@code pinHex} (normalised) names; {@code onMismatch} hears every refusal. */
    public static SSLContext context(String pinHex, Consumer<String> onMismatch) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Pinned(normalizeFingerprint(pinHex), onMismatch)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Trusts exactly one certificate, by the SHA-256 of its encoding. */
    static final class Pinned extends X509ExtendedTrustManager {
        private final byte[] pin;
        private final String pinText;
        private final Consumer<String> onMismatch;

        Pinned(String pinHex, Consumer<String> onMismatch) {
            this.pinText = pinHex;
            this.pin = pinHex.getBytes(StandardCharsets.US_ASCII);
            this.onMismatch = onMismatch;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            String seen = fingerprint(chain[0]);
            if (!MessageDigest.isEqual(seen.getBytes(StandardCharsets.US_ASCII), pin)) {
                String message = "REFUSING the server: its TLS certificate has SHA-256 fingerprint " + colons(seen)
                        + ", but the pinned fingerprint is " + colons(pinText) + ". Someone may be intercepting the connection;"
                        + " if the server's certificate was replaced on purpose, pin the new fingerprint.";
                onMismatch.accept(message);
                throw new CertificateException(message);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("no client certificates are accepted");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("no client certificates are accepted");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("no client certificates are accepted");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    public static String colons(String hex) {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(HexFormat.of().parseHex(hex));
    }
}

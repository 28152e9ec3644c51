package com.gururmm.agent.link;

import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the agent decides it is talking to its own server (docs/OPERATIONS.md, "TLS").
 *
 * <ul>
 *   <li>{@code https://} with no pinned fingerprint: the JDK's default trust store and host-name
 *       check, as a browser would (a certificate from a public or company CA).</li>
 *   <li>{@code https://} with a pinned SHA-256 fingerprint ({@code GURURMM_SERVER_FINGERPRINT}, kept
 *       in the state dir once enrolled): exactly that certificate and no other, whoever signed it and
 *       whatever names it holds, so a self-signed server is trusted without a CA and a CA-issued
 *       impostor is refused. The name check is skipped on purpose: the pin is stronger than a name.</li>
 *   <li>{@code http://}: only to a loopback address (the server's own machine, the quick start and
 *       the tests; nothing crosses a network) unless {@code GURURMM_ALLOW_INSECURE_HTTP=true}: over a
 *       network plain HTTP hands the agent's credential and every command to whoever is on the path.</li>
 * </ul>
 * One {@link SSLContext} serves every connection the agent makes (enrolment, the WebSocket, build
 * downloads), because they all go through the one {@code HttpClient} built with it.
 */
public final class ServerTrust {
    private static final Logger log = LoggerFactory.getLogger(ServerTrust.class);
    /** In the state dir: the fingerprint pinned at enrolment. */
    public static final String PIN_FILE = "server-fingerprint";

    private ServerTrust() {
    }

    /** Refuses {@code http://} to anything but loopback unless explicitly allowed; says why and what to do. */
    public static void checkUrl(URI url, boolean allowInsecureHttp) {
        if ("https".equals(url.getScheme()) || allowInsecureHttp) {
            return;
        }
        if ("http".equals(url.getScheme()) && isLoopback(url.getHost())) {
            return;
        }
        throw new IllegalArgumentException("GURURMM_SERVER_URL " + url + " is plain http:// to a host that is not this machine: the"
                + " agent's credential and every command would cross the network unencrypted. Use https:// (see the server's"
                + " GURURMM_TLS_* settings), or set GURURMM_ALLOW_INSECURE_HTTP=true to accept that risk.");
    }

    /** A literal loopback address or {@code localhost}; no DNS lookup (a name that resolves to 127.0.0.1 today may not tomorrow). */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** {@code AB:CD:..}, {@code abcd..} or {@code SHA256:abcd..} as 64 lower-case hex digits; IllegalArgumentException otherwise. */
    public static String normalizeFingerprint(String text) {
        String hex = text.trim().replaceFirst("(?i)^sha-?256[:=]?", "").replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("GURURMM_SERVER_FINGERPRINT '" + text + "' is not a SHA-256 fingerprint; copy it from the"
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

    /** The context for the agent's HttpClient: pinned to {@code fingerprint}, or the JDK default when empty. */
    public static SSLContext context(Optional<String> fingerprint) {
        try {
            if (fingerprint.isEmpty()) {
                return SSLContext.getDefault();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Pinned(normalizeFingerprint(fingerprint.get()))}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Trusts exactly one certificate, by the SHA-256 of its encoding. */
    static final class Pinned extends X509ExtendedTrustManager {
        private final byte[] pin;
        private final String pinText;

        Pinned(String pinHex) {
            this.pinText = pinHex;
            this.pin = pinHex.getBytes(StandardCharsets.US_ASCII);
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            String seen = fingerprint(chain[0]);
            if (!MessageDigest.isEqual(seen.getBytes(StandardCharsets.US_ASCII), pin)) {
                String message = "REFUSING the server: its TLS certificate has SHA-256 fingerprint " + colons(seen)
                        + ", but this agent is pinned to " + colons(pinText) + " (GURURMM_SERVER_FINGERPRINT / state file " + PIN_FILE
                        + "). Someone may be intercepting the connection; if the server's certificate was replaced on purpose,"
                        + " set GURURMM_SERVER_FINGERPRINT to the new fingerprint.";
                log.error("{}", message);
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
            throw new CertificateException("the agent accepts no client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("the agent accepts no client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("the agent accepts no client certificates");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    static String colons(String hex) {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(HexFormat.of().parseHex(hex));
    }
}

package com.gururmm.agent.link;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import com.gururmm.protocol.tls.CertificatePins;
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

    /** {@code AB:CD:..}, {@code abcd..} or {@code SHA256:abcd..} as 64 lower-case hex digits; IllegalArgumentException naming the setting otherwise. */
    public static String normalizeFingerprint(String text) {
        try {
            return CertificatePins.normalizeFingerprint(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GURURMM_SERVER_FINGERPRINT " + e.getMessage());
        }
    }

    /** The context for the agent's HttpClient: pinned to {@code fingerprint}, or the JDK default when empty. */
    public static SSLContext context(Optional<String> fingerprint) {
        if (fingerprint.isEmpty()) {
            try {
                return SSLContext.getDefault();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
            }
        }
        return CertificatePins.context(fingerprint.get(), message -> log.error("{} (GURURMM_SERVER_FINGERPRINT / state file {})",
                message, PIN_FILE));
    }

    static String colons(String hex) {
        return CertificatePins.colons(hex);
    }
}

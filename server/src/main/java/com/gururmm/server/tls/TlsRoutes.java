package com.gururmm.server.tls;

import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code GET /api/server/tls}: what a client needs to pin this server (public: the certificate is sent to anyone who connects). */
public final class TlsRoutes {
    private final Optional<ServerCertificate> certificate;

    public TlsRoutes(Optional<ServerCertificate> certificate) {
        this.certificate = certificate;
    }

    public void register(RouteTable routes) {
        routes.get("/api/server/tls", Rule.open("public: the same certificate every TLS handshake shows"),
                "Whether the server speaks HTTPS, and its certificate's SHA-256 fingerprint to pin", ctx -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("enabled", certificate.isPresent());
                    certificate.ifPresent(c -> {
                        out.put("self_signed", c.selfSigned());
                        out.put("fingerprint_sha256", c.fingerprint());
                        out.put("subject", c.leaf().getSubjectX500Principal().getName());
                        out.put("not_after", c.leaf().getNotAfter().toInstant().toString());
                    });
                    ctx.json(out);
                });
    }
}

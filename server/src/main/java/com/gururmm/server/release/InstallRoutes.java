package com.gururmm.server.release;

import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GET /install.sh}: the one-line installer. Served to users, agents and holders of a
 * usable enrollment token ({@link #ENROLLMENT_CREDENTIAL}); the token also reaches the Linux agent
 * builds and their {@code .sha256} under {@code /downloads} and nothing else ({@link DownloadRoutes}).
 *
 * <p>The script is {@code packaging/linux/install.sh} with its launcher and unit (copied into the
 * server jar at build time, so the installer a machine runs is the repository's, never a second
 * copy), preceded by what only this server knows: its URL, the newest build per architecture for
 * each channel, its TLS pin and the release public key agents need to accept updates.
 */
public final class InstallRoutes {
    /** The named credential of {@link Rule#orCredential}: a current, unrevoked, unexpired, not used-up enrollment token. */
    public static final String ENROLLMENT_CREDENTIAL = "enrollment_token";
    private static final List<String> ARCHES = List.of("amd64", "arm64", "386");
    private static final String EOF = "GURURMM_EOF";
    /** What may stand in the URL baked into the script (the request's own Host), so no header can inject shell. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}](:[0-9]{1,5})?");
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._+:/=-]*");

    private final ReleaseService releases;
    private final Optional<X509Certificate> certificate;
    private final String packaging;
    private final String bootstrap;

    public InstallRoutes(ReleaseService releases, Optional<X509Certificate> certificate) {
        this.releases = releases;
        this.certificate = certificate;
        this.bootstrap = resource("install/bootstrap.sh");
        StringBuilder out = new StringBuilder("gururmm_packaging() {\n");
        for (String file : List.of("install.sh", "gururmm-agent", "gururmm-agent.service")) {
            String text = resource("install/linux/" + file);
            if (text.contains(EOF)) {
                throw new IllegalStateException("packaging/linux/" + file + " contains the here-document delimiter " + EOF);
            }
            out.append("cat > \"$1/").append(file).append("\" <<'").append(EOF).append("'\n").append(text)
                    .append(text.endsWith("\n") ? "" : "\n").append(EOF).append('\n');
        }
        this.packaging = out.append("}\n").toString();
    }

    public void register(RouteTable routes) {
        routes.get("/install.sh", Rule.role(Role.VIEWER).orAgentCredential().orCredential(ENROLLMENT_CREDENTIAL),
                "The one-line Linux installer (enrollment tokens may fetch it)", this::serve);
    }

    private void serve(Context ctx) {
        String host = ctx.host();
        if (host == null || !HOST.matcher(host).matches()) {
            throw ApiException.badRequest("The Host header is not a host name and port the installer can point agents at.");
        }
        String server = ctx.scheme() + "://" + host;
        String channel = ctx.queryParam("channel");
        if (channel != null && !channel.equals("stable") && !channel.equals("beta")) {
            throw ApiException.badRequest("Query parameter 'channel' must be stable or beta.");
        }
        StringBuilder script = new StringBuilder("#!/bin/sh\n# GuruRMM agent installer from ").append(server).append("\nset -eu\n");
        var key = releases.signingKey();
        script.append(variable("GURURMM_DEFAULT_SERVER", server))
                .append(variable("GURURMM_DEFAULT_CHANNEL", channel == null ? "stable" : channel))
                .append(variable("GURURMM_DEFAULT_FINGERPRINT", certificate.map(com.gururmm.server.tls.ServerCertificate::fingerprint).orElse("")))
                .append(variable("GURURMM_DEFAULT_PUBKEY_PIN", certificate.map(InstallRoutes::publicKeyPin).orElse("")))
                .append(variable("GURURMM_DEFAULT_RELEASE_KEY", key == null || key.publicKey() == null ? "" : key.publicKey()));
        for (String c : List.of("stable", "beta")) {
            script.append("gururmm_").append(c).append("() {\n  case \"$1\" in\n");
            for (String arch : ARCHES) {
                offered(arch, c).ifPresent(file -> script.append("    ").append(arch).append(") echo '").append(file).append("' ;;\n"));
            }
            script.append("    *) echo '' ;;\n  esac\n}\n");
        }
        script.append(packaging).append(bootstrap);
        ctx.contentType("text/x-shellscript; charset=utf-8");
        ctx.header("Cache-Control", "no-store");
        ctx.result(script.toString());
    }

    /** The newest build of {@code linux-arch} a fresh machine on {@code channel} should get: a jar (the launcher runs jars). */
    private Optional<String> offered(String arch, String channel) {
        try {
            String file = releases.latest("linux", arch, channel).file();
            return file.endsWith(".jar") && SAFE.matcher(file).matches() ? Optional.of(file) : Optional.empty();
        } catch (ApiException none) {
            return Optional.empty();
        }
    }

    private static String variable(String name, String value) {
        if (!SAFE.matcher(value).matches()) {
            throw new IllegalStateException(name + " holds characters the installer does not quote");
        }
        return name + "='" + value + "'\n";
    }

    /** curl's {@code --pinnedpubkey sha256//...}: base64 SHA-256 of the certificate's SubjectPublicKeyInfo. */
    private static String publicKeyPin(X509Certificate certificate) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = InstallRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the server jar lacks " + name + " (the build copies packaging/linux into it)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

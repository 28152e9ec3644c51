package com.gururmm.server.tls;

import io.javalin.config.JavalinConfig;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Replaces Javalin's plain connector with one HTTPS connector on the same host and port (Javalin
 * adds its default connector only when none was configured): TLS 1.2+, the JDK's default cipher
 * suites. SNI host checking is off: agents and operators reach a self-signed server by address
 * (127.0.0.1, a LAN IP) and trust it by its pinned fingerprint, not by name.
 */
public final class TlsConnector {
    private TlsConnector() {
    }

    public static void install(JavalinConfig cfg, ServerCertificate certificate, String host, int port) {
        char[] password = com.gururmm.server.auth.Secrets.newToken("ks").toCharArray();
        cfg.jetty.addConnector((server, httpConfig) -> {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(certificate.keyStore(password));
            ssl.setKeyStorePassword(new String(password));
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            ssl.setSniRequired(false);
            HttpConfiguration https = new HttpConfiguration(httpConfig);
            SecureRequestCustomizer secure = new SecureRequestCustomizer(false);
            secure.setSniRequired(false);
            https.addCustomizer(secure);
            ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
            connector.setHost(host);
            connector.setPort(port);
            return connector;
        });
    }
}

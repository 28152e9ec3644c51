package com.gururmm.server.config;

import java.net.URI;
import java.net.URISyntaxException;

/** Accepts the URL spellings operators paste in and masks passwords for logs. */
public final class JdbcUrls {
    private JdbcUrls() {
    }

    /**
     * {@code jdbc:...} passes through; {@code postgres://user:pw@host:port/db} (the libpq / Heroku
     * spelling) becomes {@code jdbc:postgresql://host:port/db?user=user&password=pw}.
     */
    static String normalise(String url) {
        if (url.startsWith("jdbc:")) {
            return url;
        }
        if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            try {
                URI uri = new URI(url);
                StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
                if (uri.getPort() > 0) {
                    jdbc.append(':').append(uri.getPort());
                }
                jdbc.append(uri.getPath() == null ? "/" : uri.getPath());
                String query = uri.getQuery() == null ? "" : uri.getQuery();
                if (uri.getUserInfo() != null) {
                    String[] parts = uri.getUserInfo().split(":", 2);
                    query = (query.isEmpty() ? "" : query + "&") + "user=" + parts[0]
                            + (parts.length > 1 ? "&password=" + parts[1] : "");
                }
                return query.isEmpty() ? jdbc.toString() : jdbc + "?" + query;
            } catch (URISyntaxException e) {
                throw new ConfigException("DATABASE_URL is not a valid URL (" + e.getReason() + "); use jdbc:postgresql://host:5432/db or postgres://user:password@host:5432/db.");
            }
        }
        throw new ConfigException("DATABASE_URL must start with jdbc: or postgres://; got '" + maskPassword(url) + "'.");
    }

    /**
     * Replaces any secret in a URL with ****: a password= parameter, the password of
     * {@code user:password@}, and a bare {@code token@} userinfo (NATS token URLs).
     */
    public static String maskPassword(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****")
                .replaceAll("(://[^:/@]+:)[^@/]*@", "$1****@")
                .replaceAll("(://)[^:/@]+@", "$1****@");
    }
}

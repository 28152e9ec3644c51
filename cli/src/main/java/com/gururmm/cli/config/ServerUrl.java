package com.gururmm.cli.config;

import com.gururmm.cli.CliException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** The one spelling of a server URL used as the key for saved logins. */
public final class ServerUrl {
    private ServerUrl() {
    }

    /** {@code http(s)://host[:port][/path]} without a trailing slash; anything else is a usage error. */
    public static String normalize(String raw) {
        String text = raw.strip();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return text;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw CliException.usage("'" + raw + "' is not a server URL; use e.g. http://rmm.example.com:3001");
    }
}

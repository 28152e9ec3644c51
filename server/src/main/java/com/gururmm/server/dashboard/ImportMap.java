package com.gururmm.server.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Builds the dashboard's import map from the webjars on the classpath. Maven resolves lit's
 * dependencies (lit-html, lit-element, @lit/reactive-element) through version ranges, so the
 * versions are read from each webjar's {@code pom.properties} rather than written into the page:
 * a dependency bump can then never leave the page pointing at a path that is not in the jar.
 */
final class ImportMap {
    /** Bare specifier, webjar artifact, entry module (the package.json "exports" default for "."). */
    private record Package(String specifier, String artifact, String entry) {
    }

    private static final Package[] PACKAGES = {
        new Package("lit", "lit", "index.js"),
        new Package("lit-html", "lit-html", "lit-html.js"),
        new Package("lit-element", "lit-element", "index.js"),
        new Package("@lit/reactive-element", "lit__reactive-element", "reactive-element.js"),
        // UMD, not an ES module: the terminal page resolves this URL and loads it as a classic script (window.Terminal).
        new Package("xterm", "xterm", "lib/xterm.js"),
        new Package("uplot", "uplot", "dist/uPlot.esm.js"),
    };

    private ImportMap() {
    }

    static String forClasspathWebjars() {
        Map<String, String> imports = new LinkedHashMap<>();
        for (Package p : PACKAGES) {
            String base = "/webjars/" + p.artifact() + "/" + version(p.artifact()) + "/";
            imports.put(p.specifier(), base + p.entry());
            imports.put(p.specifier() + "/", base);
        }
        StringBuilder json = new StringBuilder("{\"imports\":{");
        imports.forEach((k, v) -> json.append('"').append(k).append("\":\"").append(v).append("\","));
        json.setLength(json.length() - 1);
        return json.append("}}").toString();
    }

    private static String version(String artifact) {
        String path = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = ImportMap.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("webjar org.webjars.npm:" + artifact + " is not on the classpath (" + path
                        + " missing); the dashboard needs it: check the server's dependencies");
            }
            Properties props = new Properties();
            props.load(in);
            return props.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}

package com.gururmm.cli.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the CLI keeps its state: {@code $GURURMM_CONFIG_DIR}, else
 * {@code $XDG_CONFIG_HOME/gururmm}, else {@code ~/.config/gururmm} (XDG Base Directory spec).
 */
public final class ConfigDir {
    private ConfigDir() {
    }

    public static Path resolve(Map<String, String> env) {
        String explicit = env.get("GURURMM_CONFIG_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "gururmm");
        }
        return Path.of(System.getProperty("user.home"), ".config", "gururmm");
    }
}

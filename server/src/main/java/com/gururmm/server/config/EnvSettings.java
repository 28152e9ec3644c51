package com.gururmm.server.config;

import java.util.Map;

/** Reading one numeric setting from the environment, with the same clear error everywhere. */
public final class EnvSettings {
    private EnvSettings() {
    }

    /** {@code key}'s whole-number value in {@code [min, max]}, {@code fallback} when unset or blank; a ConfigException otherwise. */
    public static int integer(Map<String, String> env, String key, int fallback, int min, int max) {
        String value = env.get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min || parsed > max) {
                throw new ConfigException(key + " is " + parsed + "; it must be between " + min + " and " + max + ".");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " is '" + value + "', which is not a whole number; set it to a number between " + min + " and " + max + ".");
        }
    }
}

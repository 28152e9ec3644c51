package com.gururmm.server.config;

/** A setting that cannot be used; the message names the variable and the fix. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}

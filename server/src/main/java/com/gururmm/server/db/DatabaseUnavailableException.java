package com.gururmm.server.db;

/** The database cannot be reached; mapped to 503 by the HTTP layer. */
public final class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

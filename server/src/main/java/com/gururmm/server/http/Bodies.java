package com.gururmm.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import io.javalin.http.Context;
import java.util.UUID;

/** Reads request bodies and path parameters, refusing anything malformed with a 400. */
public final class Bodies {
    /** Largest request body accepted at all: a 1 MiB script can double in size when JSON-escaped. */
    public static final long MAX_BODY_BYTES = 4L * 1024 * 1024;

    private Bodies() {
    }

    public static <T> T read(Context ctx, Class<T> type) {
        String body = ctx.body();
        if (body.isBlank()) {
            throw ApiException.badRequest("A JSON request body is required.");
        }
        T value;
        try {
            value = Json.mapper().readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new JsonBodyException(e);
        }
        if (value == null) {
            throw ApiException.badRequest("The request body must be a JSON object, not null.");
        }
        return value;
    }

    /** Like {@link #read} but an empty body yields {@code empty}. */
    public static <T> T readOptional(Context ctx, Class<T> type, T empty) {
        return ctx.body().isBlank() ? empty : read(ctx, type);
    }

    public static UUID uuidParam(Context ctx, String name) {
        String raw = ctx.pathParam(name);
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + truncate(raw) + "' is not a valid " + name + "; expected a UUID.");
        }
    }

    public static String requireText(String value, String field, int maxLength) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("Field '" + field + "' is required.");
        }
        if (value.length() > maxLength) {
            throw ApiException.badRequest("Field '" + field + "' is longer than " + maxLength + " characters.");
        }
        return value;
    }

    public static String truncate(String value) {
        return value.length() > 80 ? value.substring(0, 80) + "..." : value;
    }

    /** Carries a Jackson failure to the error mapper (which words it). */
    static final class JsonBodyException extends RuntimeException {
        JsonBodyException(JsonProcessingException cause) {
            super(cause);
        }
    }
}

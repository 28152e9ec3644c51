package com.gururmm.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import io.javalin.http.Context;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads request bodies, query and path parameters, refusing anything malformed with a 400.
 *
 * <p>No text from a request may carry U+0000: PostgreSQL's text types cannot hold it (the
 * statement fails, which would be a 500 after part of the work was done), and no name, script
 * or filter has a use for it. Every body and parameter is checked here, before any route's
 * logic runs, so a NUL changes nothing (it never spends an enrollment token's use, say).
 */
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
        refuseNulInJson(body);
        return value;
    }

    /** JSON can only carry a NUL as the escape {@code \u0000} (a raw one is invalid JSON, refused above). */
    private static final Pattern NUL_ESCAPE = Pattern.compile("\\\\u0000", Pattern.CASE_INSENSITIVE);

    private static void refuseNulInJson(String body) {
        if (body.indexOf('\0') < 0 && !NUL_ESCAPE.matcher(body).find()) {
            return;
        }
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new JsonBodyException(e);
        }
        String field = nulField(tree, "");
        if (field != null) {
            throw ApiException.badRequest("Field '" + field + "' contains a NUL character (U+0000); remove it: no text the server stores may contain one.");
        }
    }

    /** The path of the first string (or field name) holding U+0000, or null. */
    private static String nulField(JsonNode node, String path) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\0') >= 0 ? (path.isEmpty() ? "(body)" : path) : null;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = nulField(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (field.getKey().indexOf('\0') >= 0) {
                    return name.replace("\0", "\\0");
                }
                String found = nulField(field.getValue(), name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** A query parameter (null when absent), refused with a 400 when it carries U+0000. */
    public static String query(Context ctx, String name) {
        return refuseNul(ctx.queryParam(name), "Query parameter '" + name + "'");
    }

    /** A path parameter, refused with a 400 when it carries U+0000. */
    /** The {@code ?limit=} of a listing: 1 to 1000, 100 when absent. */
    public static int limit(Context ctx) {
        String value = query(ctx, "limit");
        if (value == null || value.isBlank()) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(value.strip());
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // worded below
        }
        throw ApiException.badRequest("'limit' must be a whole number between 1 and 1000; got '" + truncate(value) + "'.");
    }

    public static String pathText(Context ctx, String name) {
        return refuseNul(ctx.pathParam(name), "Path parameter '" + name + "'");
    }

    private static String refuseNul(String value, String what) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw ApiException.badRequest(what + " contains a NUL character (U+0000); remove it.");
        }
        return value;
    }

    /** Like {@link #read} but an empty body yields {@code empty}. */
    public static <T> T readOptional(Context ctx, Class<T> type, T empty) {
        return ctx.body().isBlank() ? empty : read(ctx, type);
    }

    public static UUID uuidParam(Context ctx, String name) {
        String raw = pathText(ctx, name);
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

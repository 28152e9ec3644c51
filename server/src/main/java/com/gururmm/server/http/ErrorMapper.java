package com.gururmm.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.gururmm.protocol.api.ApiError;
import com.gururmm.protocol.text.ControlChars;
import com.gururmm.server.db.DatabaseUnavailableException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.jdbi.v3.core.ConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps every failure to the SPEC's error shape in one place. Client mistakes are logged at
 * INFO (they are the caller's problem, but operators want to see probing); anything that
 * would be a 500 is logged with its stack trace, because it is our bug.
 */
public final class ErrorMapper {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {
    }

    public static void install(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> respond(ctx, e.status(), e.code(), e.getMessage()));
        routes.exception(Bodies.JsonBodyException.class, (e, ctx) ->
                respond(ctx, 400, "bad_request", describeJsonProblem((JsonProcessingException) e.getCause())));
        routes.exception(HttpResponseException.class, (e, ctx) -> respond(ctx, e.getStatus(), codeFor(e.getStatus()), messageFor(e)));
        routes.exception(DatabaseUnavailableException.class, (e, ctx) -> respond(ctx, 503, "unavailable", e.getMessage()));
        routes.exception(ConnectionException.class, (e, ctx) ->
                respond(ctx, 503, "unavailable", "The database cannot be reached right now; try again shortly."));
        routes.exception(Exception.class, (e, ctx) -> {
            if (databaseClosed(e)) {
                respond(ctx, 503, "unavailable", "The database is briefly unavailable (maintenance); try again shortly.");
                return;
            }
            log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, 500, "internal", "The server failed to handle this request; the error is in its log.");
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                respond(ctx, 404, "not_found", "No route " + ctx.method() + " " + ctx.path() + ".");
            }
        });
        routes.error(405, ctx -> respond(ctx, 405, "method_not_allowed", "Method " + ctx.method() + " is not allowed on " + ctx.path() + "."));
    }

    /**
     * True for a statement that met a database that was closing or closed (the embedded database's
     * compaction, a lost connection): the caller can retry, so it is a 503, not our bug.
     */
    static boolean databaseClosed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().equals("90098") || sql.getSQLState().equals("90121"))) {
                return true;
            }
        }
        return false;
    }

    static void respond(Context ctx, int status, String code, String message) {
        if (status >= 500) {
            log.warn("{} {} -> {} {}", ctx.method(), ctx.path(), status, message);
        } else {
            log.info("{} {} -> {} {}", ctx.method(), ctx.path(), status, message);
        }
        ctx.status(status).json(new ApiError(code, message));
    }

    /**
     * Words a body Jackson could not read as a sentence for the caller: which field, what was
     * expected and what was sent. Jackson's own messages name Java types
     * ({@code Cannot deserialize value of type `java.lang.String`}) and parser internals
     * ({@code StreamReadConstraints}), which say how the server is built, not what to fix.
     */
    static String describeJsonProblem(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException) {
            return "The request body is too large or too deeply nested to read: " + plain(e.getOriginalMessage());
        }
        if (e instanceof JsonParseException) {
            return "The request body is not valid JSON: " + plain(e.getOriginalMessage());
        }
        if (e instanceof InvalidFormatException invalid && !invalid.getPath().isEmpty()) {
            return "Field '" + path(invalid) + "' has the wrong type: expected " + expected(invalid.getTargetType()) + ", got '"
                    + ControlChars.escape(Bodies.truncate(String.valueOf(invalid.getValue()))) + "'.";
        }
        if (e instanceof MismatchedInputException mismatched) {
            String expected = expected(mismatched.getTargetType());
            String got = got(mismatched);
            if (mismatched.getPath().isEmpty()) {
                return "The request body must be " + expected + (got == null ? "" : ", not " + got) + ".";
            }
            return "Field '" + path(mismatched) + "' has the wrong type: expected " + expected + (got == null ? "" : ", got " + got) + ".";
        }
        if (e instanceof JsonMappingException mapping && mapping.getCause() instanceof IllegalArgumentException invalid
                && invalid.getMessage() != null) {
            String where = mapping.getPath().isEmpty() ? "The request body" : "Field '" + pathOf(mapping) + "'";
            return where + " is not valid: " + plain(invalid.getMessage());
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return "Field '" + pathOf(mapping) + "' could not be read: " + plain(e.getOriginalMessage());
        }
        return "The request body could not be read: " + plain(e.getOriginalMessage());
    }

    private static final java.util.regex.Pattern JAVA_NAME = java.util.regex.Pattern.compile("`[A-Za-z0-9_$.\\[\\]<>, ]+`");

    /** The first line of a parser message, without the Java names Jackson quotes in backticks. */
    private static String plain(String message) {
        String line = firstLine(message);
        line = line.replaceAll(", from `[^`]*`", "").replaceAll("\\(for `[^`]*`\\)", "");
        return JAVA_NAME.matcher(line).replaceAll("a value");
    }

    /** The JSON a Java type is read from, in words. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "a different JSON value";
        }
        if (type == String.class || type == Character.class || type == char.class || type.isEnum()) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class || type == Short.class || type == short.class
                || type == java.math.BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == java.util.UUID.class) {
            return "a UUID string";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 time string";
        }
        if (type == java.time.Duration.class) {
            return "a duration string";
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        return "a JSON object";
    }

    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("JsonToken\\.([A-Z_]+)");
    private static final java.util.regex.Pattern FROM_SHAPE = java.util.regex.Pattern.compile(
            "from (Array|Object|String|Integer|Floating-point|Number|Boolean|Null) value");

    /** What was sent instead, from the token or shape Jackson's message names; null when it names none. */
    private static String got(MismatchedInputException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        java.util.regex.Matcher token = TOKEN.matcher(message);
        if (token.find()) {
            return switch (token.group(1)) {
                case "START_ARRAY", "END_ARRAY" -> "an array";
                case "START_OBJECT", "END_OBJECT", "FIELD_NAME" -> "an object";
                case "VALUE_STRING" -> "a string";
                case "VALUE_NUMBER_INT" -> "a whole number";
                case "VALUE_NUMBER_FLOAT" -> "a number with a fraction";
                case "VALUE_TRUE", "VALUE_FALSE" -> "a boolean";
                case "VALUE_NULL" -> "null";
                default -> null;
            };
        }
        java.util.regex.Matcher shape = FROM_SHAPE.matcher(message);
        if (shape.find()) {
            return switch (shape.group(1)) {
                case "Array" -> "an array";
                case "Object" -> "an object";
                case "String" -> "a string";
                case "Integer" -> "a whole number";
                case "Floating-point" -> "a number with a fraction";
                case "Number" -> "a number";
                case "Boolean" -> "a boolean";
                default -> "null";
            };
        }
        return null;
    }

    /** {@code parameters[0].name}: dots before field names, brackets for array indexes. */
    private static String pathOf(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ControlChars.escape(Bodies.truncate(ref.getFieldName())));
            } else {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String path(MismatchedInputException e) {
        return pathOf(e);
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 409 -> "conflict";
            case 413 -> "too_large";
            case 429 -> "rate_limited";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal" : "bad_request";
        };
    }

    private static String messageFor(HttpResponseException e) {
        if (e.getStatus() == 413) {
            return "The request body is larger than the server accepts (" + Bodies.MAX_BODY_BYTES + " bytes).";
        }
        return e.getMessage();
    }
}

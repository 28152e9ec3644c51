package com.gururmm.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.gururmm.protocol.api.ApiError;
import com.gururmm.server.db.DatabaseUnavailableException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.stream.Collectors;
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

    private static String describeJsonProblem(JsonProcessingException e) {
        if (e instanceof InvalidFormatException invalid) {
            return "Field '" + path(invalid) + "' has the wrong type: expected " + invalid.getTargetType().getSimpleName().toLowerCase() + ".";
        }
        if (e instanceof MismatchedInputException mismatched && !mismatched.getPath().isEmpty()) {
            return "Field '" + path(mismatched) + "' has the wrong type or shape: " + firstLine(e.getOriginalMessage());
        }
        return "The request body is not valid JSON: " + firstLine(e.getOriginalMessage());
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static String codeFor(int status) {
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

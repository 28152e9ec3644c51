package com.gururmm.server.http;

import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.ApiError;
import com.gururmm.protocol.text.ControlChars;
import io.javalin.config.JavalinConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests Jetty refuses before any route runs (a path with {@code %00}, {@code %ff},
 * {@code ..;} or a backslash, a bad percent-escape, an oversize request line or header) with the
 * same JSON error as {@link ErrorMapper}, for every method. Jetty's own handler wrote an HTML page,
 * and for DELETE, PATCH or PUT no body at all, so API clients got an error they could not read.
 * Installed on the server (bad messages, before a context) and on Javalin's servlet context.
 */
public final class JsonErrorHandler extends org.eclipse.jetty.server.handler.ErrorHandler {
    private static final Logger log = LoggerFactory.getLogger(JsonErrorHandler.class);
    private static final HttpField JSON = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final HttpField NOSNIFF = new HttpField("X-Content-Type-Options", "nosniff");

    public static void install(JavalinConfig cfg) {
        cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        cfg.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new InContext()));
    }

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        writeJson(response, code, message, callback);
    }

    /** The same answer for errors inside Javalin's servlet context (its error handler must be the servlet kind). */
    static final class InContext extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
            writeJson(response, code, message, callback);
        }
    }

    private static void writeJson(Response response, int code, String message, Callback callback) {
        byte[] body = body(code, message);
        response.getHeaders().put(JSON);
        response.getHeaders().put(NOSNIFF);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        byte[] body = body(status, reason);
        fields.put(JSON);
        fields.put(NOSNIFF);
        fields.put(HttpHeader.CONTENT_LENGTH, body.length);
        return ByteBuffer.wrap(body);
    }

    /** {@code {"error", "message"}}: Jetty's reason ("Bad UTF-8 encoding") in a sentence; never internals for a 5xx. */
    static byte[] body(int status, String reason) {
        String message;
        if (status >= 500) {
            log.warn("request failed in the HTTP layer with {}: {}", status, reason);
            message = "The server failed to handle this request; the error is in its log.";
        } else {
            String why = reason == null || reason.isBlank() ? "malformed request" : ControlChars.escape(Bodies.truncate(reason));
            message = switch (status) {
                case 404 -> "No such route or file.";
                case 405 -> "This method is not allowed here.";
                case 413 -> "The request body is larger than the server accepts (" + Bodies.MAX_BODY_BYTES + " bytes).";
                case 414, 431 -> "The request line or headers are too large (" + why + "); send shorter ids and parameters.";
                default -> "The request is malformed (" + why + "): percent-encode the path and query as UTF-8, and leave out"
                        + " NUL, backslashes and '..' or ';' segments.";
            };
        }
        try {
            return Json.mapper().writeValueAsBytes(new ApiError(ErrorMapper.codeFor(status), message));
        } catch (Exception e) {
            return ("{\"error\":\"bad_request\",\"message\":\"The request is malformed.\"}").getBytes(StandardCharsets.UTF_8);
        }
    }
}

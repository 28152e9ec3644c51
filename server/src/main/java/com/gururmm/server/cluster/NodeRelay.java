package com.gururmm.server.cluster;

import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.UploadBody;
import com.gururmm.server.observability.Meters;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes a request on to the node that can serve it. Work bound to one node (a shell's sockets
 * and recording, a file transfer through the agent's connection) throws {@link OnOtherNode}
 * elsewhere; the route table and the tunnel's sockets hand it here, and the request goes, as it
 * came, to that node's URL ({@code nodes.url}, from {@code GURURMM_NODE_URL}): an HTTP request
 * streamed both ways (an upload or download of any size holds a few buffers here), a WebSocket
 * frame for frame ({@link RelayedSocket}).
 *
 * <p>Passing a request on grants nothing: the serving node authenticates and authorizes it
 * again from the caller's own credential, audits it, and applies its own limits. A request is
 * passed on at most once ({@link #RELAYED_BY}): two nodes with a stale view of each other answer
 * the 409 instead of bouncing it.
 */
public final class NodeRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeRelay.class);
    /** Set on a request passed on; its value is the node that passed it on. A request carrying it is not passed on again. */
    public static final String RELAYED_BY = "X-GuruRMM-Relayed-By";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** A WebSocket handshake with the serving node (it answers at once: authentication and a lookup). */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Headers that describe one hop, not the request: the client library sets its own, and
     * Jetty its own on the answer. Everything else (Authorization, Content-Type, Range, the
     * X-GuruRMM-* headers, cookies) goes on as it came.
     */
    private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "keep-alive", "transfer-encoding", "te", "trailer",
            "upgrade", "proxy-authorization", "proxy-authenticate", "content-length", "expect", "http2-settings", "date", "server",
            RELAYED_BY.toLowerCase(Locale.ROOT), "x-forwarded-for");
    /**
     * How long the serving node may take to start its answer to a request that is not a
     * streamed upload (its own waits are shorter: 15 s for a shell to start, 60 s for an agent to
     * begin a download), so a node that hangs does not hold this one's request for ever. An
     * upload's answer comes after its whole body, so it has no such limit: it is paced by the
     * client, and ends when the client goes away.
     */
    static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(2);
    /** The headers a WebSocket handshake carries on: the credentials (the rest is the handshake's own). */
    private static final List<String> SOCKET_HEADERS = List.of("Authorization", "Cookie", "X-GuruRMM-Agent-Id");

    private final String node;
    private final Function<String, Optional<URI>> urlOf;
    private final HttpClient http;
    private final Meters meters;

    /**
     * @param node  this node's name (the value of {@link #RELAYED_BY} on what it passes on)
     * @param urlOf the URL of a live node by name; empty when the node is not alive or has none
     */
    public NodeRelay(String node, Function<String, Optional<URI>> urlOf, Meters meters) {
        this.node = node;
        this.urlOf = urlOf;
        this.meters = meters;
        // HTTP/1.1: nodes speak it to each other without an upgrade attempt; redirects are answers to pass back, not follow.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Whether {@code ctx} was passed on by another node (and so is served here or refused, never passed on again). */
    public static boolean wasRelayed(Context ctx) {
        return ctx.header(RELAYED_BY) != null;
    }

    // ---- HTTP -----------------------------------------------------------------------------------

    /**
     * Serves {@code ctx} by passing it on to {@code where.node()} and its answer back. A request
     * already passed on, or a node that is gone, gets {@code where} itself (the 409) or a 503.
     */
    public void forward(Context ctx, OnOtherNode where) {
        if (wasRelayed(ctx)) {
            throw where; // the node that passed it on sent Expect: 100-continue and holds the body back
        }
        boolean streamed = hasBody(ctx) && where.streamsBody();
        UploadBody upload = streamed ? new UploadBody(ctx) : null;
        HttpResponse<InputStream> response;
        try {
            response = send(ctx, where, upload);
        } finally {
            // An upload the serving node refused or broke off, or that could not be passed on at all, may still be arriving
            // from a client that sent no Expect: it is read to its end before the answer (UploadBody), or this connection
            // closes. The serving node's Connection header speaks of the connection between the nodes, not of this one.
            if (upload != null) {
                upload.discardUnread();
            }
        }
        answer(ctx, response, where.node());
    }

    /** @param upload the body streamed through, or null when the body (if any) is sent from memory */
    private HttpResponse<InputStream> send(Context ctx, OnOtherNode where, UploadBody upload) {
        boolean streamed = upload != null;
        URI target = target(baseOf(where, "http"), ctx, "http");
        HttpRequest.Builder request = HttpRequest.newBuilder(target).method(ctx.method().name(), body(ctx, upload));
        if (!streamed) {
            request.timeout(ANSWER_TIMEOUT);
        }
        for (String name : Collections.list(ctx.req().getHeaderNames())) {
            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                for (String value : Collections.list(ctx.req().getHeaders(name))) {
                    header(request::header, name, value);
                }
            }
        }
        request.header(RELAYED_BY, node);
        header(request::header, "X-Forwarded-For", forwardedFor(ctx));
        // A streamed upload waits for the serving node's go-ahead before its first byte, whatever the client sent: a
        // refusal (a wrong offset, no access) then comes back as it is, instead of failing while the body is sent.
        request.expectContinue(streamed);
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            meters.relayed("http", "ok");
            return response;
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw unreachable(where, e, "http");
        } catch (java.net.http.HttpTimeoutException e) {
            meters.relayed("http", "failed");
            throw new ApiException(504, "relay_timeout", "Node " + where.node() + " serves this request and did not answer within "
                    + ANSWER_TIMEOUT.toSeconds() + " s.");
        } catch (IOException e) {
            meters.relayed("http", "failed");
            log.info("passing {} {} on to node {} failed: {}", ctx.method(), ctx.path(), where.node(), e.toString());
            throw new ApiException(502, "relay_failed", "Node " + where.node() + " serves this request, and passing it on failed: "
                    + e.getMessage() + ". Try again, or send it to " + where.node() + " directly.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while passing the request on to node " + where.node());
        }
    }

    /**
     * As a proxy does: the address this node received the request from goes at the right of the
     * chain, which the serving node believes only if this node is one of its GURURMM_TRUSTED_PROXIES.
     */
    private static String forwardedFor(Context ctx) {
        String forwarded = String.join(", ", Collections.list(ctx.req().getHeaders("X-Forwarded-For")));
        return (forwarded.isBlank() ? "" : forwarded + ", ") + ctx.req().getRemoteAddr();
    }

    /** The same path and query on the serving node; a request whose raw path the client library refuses is a 400. */
    private static URI target(URI base, Context ctx, String scheme) {
        String rawQuery = ctx.queryString();
        String authority = base.toString().substring(base.getScheme().length());
        try {
            return URI.create(scheme + authority + ctx.req().getRequestURI() + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("The request's path or query holds characters that are not valid in a URL, so it cannot be"
                    + " passed on to the node that serves it; percent-encode them.");
        }
    }

    /** A header the client library refuses (a character it does not allow) is left out rather than failing the request. */
    private static void header(java.util.function.BiConsumer<String, String> set, String name, String value) {
        try {
            set.accept(name, value);
        } catch (IllegalArgumentException e) {
            log.debug("header {} not passed on: {}", name, e.getMessage());
        }
    }

    /**
     * The request's body: a JSON body was read (and kept) by the route before it threw, so it is
     * sent from memory; an upload is not read before the agent is found
     * ({@link OnOtherNode#bodyUnread}), so it streams straight through, never held whole, read
     * once the serving node says to go on.
     */
    private static HttpRequest.BodyPublisher body(Context ctx, UploadBody upload) {
        if (!hasBody(ctx)) {
            return HttpRequest.BodyPublishers.noBody();
        }
        if (upload != null) {
            HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> upload);
            long length = ctx.req().getContentLengthLong();
            return length >= 0 ? HttpRequest.BodyPublishers.fromPublisher(stream, length) : stream;
        }
        return HttpRequest.BodyPublishers.ofByteArray(ctx.bodyAsBytes());
    }

    private static boolean hasBody(Context ctx) {
        String method = ctx.method().name();
        return !method.equals("GET") && !method.equals("HEAD")
                && (ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null);
    }



    private static void answer(Context ctx, HttpResponse<InputStream> response, String from) {
        ctx.status(response.statusCode());
        long length = -1;
        for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("content-length")) {
                length = Long.parseLong(header.getValue().getFirst().trim());
            } else if (!HOP_HEADERS.contains(name) && !name.startsWith(":")) {
                // The serving node's values replace any this node set already (one Content-Type, one Cache-Control).
                ctx.res().setHeader(header.getKey(), header.getValue().getFirst());
                header.getValue().stream().skip(1).forEach(value -> ctx.res().addHeader(header.getKey(), value));
            }
        }
        if (length >= 0) {
            ctx.res().setContentLengthLong(length);
        }
        try (InputStream in = response.body()) {
            OutputStream out = ctx.res().getOutputStream();
            in.transferTo(out);
        } catch (IOException e) {
            // Part of the answer is out. With a Content-Length the short body is what the client sees (Jetty aborts the
            // connection short of it, so it cannot be mistaken for the whole); without one, failing the request aborts it.
            log.info("the answer from node {} to {} {} broke off: {}", from, ctx.method(), ctx.path(), e.toString());
            if (length < 0) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    // ---- WebSocket ------------------------------------------------------------------------------

    /**
     * Opens the WebSocket {@code ctx} asks for on {@code where.node()}, before this node upgrades
     * its own: the serving node's refusal (an unknown session, a bad credential) is this node's
     * refusal, with the same status. The caller upgrades and then {@link RelayedSocket#attach attaches}.
     *
     * @param maxMessage the largest message the serving node accepts (a larger one from it ends the relay)
     */
    public RelayedSocket openSocket(io.javalin.http.Context ctx, OnOtherNode where, int maxMessage) {
        if (wasRelayed(ctx)) {
            throw where;
        }
        URI base = baseOf(where, "socket");
        URI target = target(base, ctx, base.getScheme().equals("https") ? "wss" : "ws");
        RelayedSocket relayed = new RelayedSocket(where.node(), maxMessage);
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT).header(RELAYED_BY, node);
        for (String name : SOCKET_HEADERS) {
            String value = ctx.header(name);
            if (value != null) {
                header(builder::header, name, value);
            }
        }
        header(builder::header, "X-Forwarded-For", forwardedFor(ctx));
        java.util.concurrent.CompletableFuture<WebSocket> handshake = builder.buildAsync(target, relayed);
        try {
            relayed.upstream(handshake.get(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            meters.relayed("socket", "ok");
            return relayed;
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof WebSocketHandshakeException refused) {
                meters.relayed("socket", "ok"); // the serving node answered: its refusal is the answer
                int status = refused.getResponse().statusCode();
                throw new ApiException(status, status == 401 ? "unauthorized" : status == 403 ? "forbidden" : status == 404 ? "not_found"
                        : status == 410 ? "session_ended" : "refused", "Node " + where.node() + ", which serves this connection, refused it"
                        + " with HTTP " + status + ".");
            }
            if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
                throw unreachable(where, (Exception) cause, "socket");
            }
            meters.relayed("socket", "failed");
            throw new ApiException(502, "relay_failed", "Node " + where.node() + " serves this connection, and connecting to it failed: "
                    + cause + ".");
        } catch (TimeoutException e) {
            meters.relayed("socket", "failed");
            handshake.thenAccept(WebSocket::abort); // should it complete after all, nobody would ever use it
            throw new ApiException(504, "relay_timeout", "Node " + where.node() + " did not accept the connection within "
                    + HANDSHAKE_TIMEOUT.toSeconds() + " s.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while connecting to node " + where.node());
        }
    }

    // ---- common ---------------------------------------------------------------------------------

    @Override
    public void close() {
        http.close();
    }

    private URI baseOf(OnOtherNode where, String kind) {
        Optional<URI> url = urlOf.apply(where.node());
        if (url.isEmpty()) {
            meters.relayed(kind, "unreachable");
        }
        return url.orElseThrow(() -> new ApiException(503, "node_unreachable", "Node " + where.node()
                + " serves this request, but it is not alive in the cluster or has no URL (GURURMM_NODE_URL); "
                + where.getMessage()));
    }

    private ApiException unreachable(OnOtherNode where, Exception e, String kind) {
        meters.relayed(kind, "unreachable");
        return new ApiException(503, "node_unreachable", "Node " + where.node() + " serves this request, and it cannot be reached at its"
                + " URL (GURURMM_NODE_URL): " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ". Check that the nodes can reach each other (docs/OPERATIONS.md, \"Cluster\").");
    }
}

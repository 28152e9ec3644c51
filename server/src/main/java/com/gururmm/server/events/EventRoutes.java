package com.gururmm.server.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.protocol.Json;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.AccessFilter;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * {@code GET /api/events}: server-sent events for agent presence, command status and alerts.
 *
 * <p>Each client gets its own bounded queue fed by the {@link EventJournal}; the request's
 * (virtual) thread drains it to the socket. A client too slow to keep up is sent a
 * {@code reset} event and disconnected rather than buffered without bound: it reconnects and
 * reloads. Every event passes the caller's visibility check ({@code visible}) before it is
 * written, so the stream never shows what the same caller could not read through the API.
 * A comment line every {@link #KEEPALIVE} keeps proxies from closing a quiet stream and tells
 * the server when the client has gone.
 */
public final class EventRoutes {
    static final Duration KEEPALIVE = Duration.ofSeconds(15);
    static final int CLIENT_QUEUE = 4_096;
    /** Live-output text one client's queue may hold (output events are large); past it the client is reset. */
    static final long CLIENT_OUTPUT_CHARS = 4L * 1024 * 1024;
    private static final ObjectMapper MAPPER = Json.mapper();
    private static final Object OVERFLOW = new Object();

    /** How often an open stream re-checks its credential: a revoked session stops receiving within this. */
    static final Duration RECHECK = Duration.ofSeconds(5);

    private final EventJournal journal;
    private final AccessFilter.Users users;
    private final BiPredicate<Principal, EventJournal.Entry> visible;

    /**
     * @param users   authenticates the stream's {@code Authorization} header again every {@link #RECHECK}
     *                (revocation is immediate for streams too, and a changed role or scope applies)
     * @param visible whether a caller may see an event (the same rule as reading its agent through the API)
     */
    public EventRoutes(EventJournal journal, AccessFilter.Users users, BiPredicate<Principal, EventJournal.Entry> visible) {
        this.journal = journal;
        this.users = users;
        this.visible = visible;
    }

    public void register(RouteTable routes) {
        routes.get("/api/events", Rule.role(Role.VIEWER),
                "Server-sent events (text/event-stream): ?types=" + String.join(",", EventJournal.types())
                        + " (default: all but command.output, which is opt-in) &agent_id=; resumable with Last-Event-ID", this::stream);
    }

    private void stream(Context ctx) throws IOException {
        Principal caller = Access.principal(ctx);
        String authorization = ctx.header("Authorization");
        long recheckAt = System.nanoTime() + RECHECK.toNanos();
        Set<String> types = parseTypes(Bodies.query(ctx, "types"));
        String agentParam = Bodies.query(ctx, "agent_id");
        UUID agent = agentParam == null || agentParam.isBlank() ? null : parseUuid(agentParam);

        LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>(CLIENT_QUEUE);
        java.util.concurrent.atomic.AtomicLong queuedOutput = new java.util.concurrent.atomic.AtomicLong();
        EventJournal.Listener listener = entry -> {
            if (!types.contains(entry.type()) || (agent != null && !agent.equals(entry.agentId()))) {
                return;
            }
            long weight = EventJournal.weight(entry);
            if (queuedOutput.addAndGet(weight) > CLIENT_OUTPUT_CHARS || !queue.offer(entry)) {
                queue.clear();
                queuedOutput.set(0);
                queue.offer(OVERFLOW);
            }
        };
        String lastEventId = ctx.header("Last-Event-ID");
        EventJournal.Resume resume = journal.attach(lastEventId, listener);
        try {
            ctx.status(200);
            ctx.res().setContentType("text/event-stream;charset=utf-8");
            ctx.res().setHeader("Cache-Control", "no-store");
            ctx.res().setHeader("X-Accel-Buffering", "no");
            OutputStream out = ctx.res().getOutputStream();
            write(out, "retry: 2000\n\n");
            if (resume.gap()) {
                write(out, "event: reset\ndata: {\"reason\":\"the events after your Last-Event-ID are no longer kept; reload\"}\n\n");
            }
            for (EventJournal.Entry entry : resume.missed()) {
                if (types.contains(entry.type()) && (agent == null || agent.equals(entry.agentId()))) {
                    send(out, caller, entry);
                }
            }
            out.flush();
            long lastWrite = System.nanoTime();
            while (true) {
                Object next = queue.poll(RECHECK.toMillis(), TimeUnit.MILLISECONDS);
                if (System.nanoTime() - recheckAt >= 0) {
                    recheckAt = System.nanoTime() + RECHECK.toNanos();
                    try {
                        caller = users.authenticate(authorization);
                    } catch (ApiException refused) {
                        if (refused.status() == 401) {
                            write(out, "event: unauthorized\ndata: " + MAPPER.writeValueAsString(java.util.Map.of("message", refused.getMessage())) + "\n\n");
                            out.flush();
                            return;
                        }
                        // Otherwise the database is away for a moment: keep the stream (and the event just taken), check again later.
                    }
                }
                if (next == null && System.nanoTime() - lastWrite < KEEPALIVE.toNanos()) {
                    continue;
                }
                lastWrite = System.nanoTime();
                if (next == null) {
                    write(out, ": keepalive\n\n");
                } else if (next == OVERFLOW) {
                    write(out, "event: reset\ndata: {\"reason\":\"this client fell too far behind; reload\"}\n\n");
                    out.flush();
                    return;
                } else {
                    queuedOutput.addAndGet(-EventJournal.weight((EventJournal.Entry) next));
                    send(out, caller, (EventJournal.Entry) next);
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException gone) {
            // The client went away; nothing to answer.
        } finally {
            journal.detach(listener);
        }
    }

    private void send(OutputStream out, Principal caller, EventJournal.Entry entry) throws IOException {
        if (!visible.test(caller, entry)) {
            return;
        }
        String data = MAPPER.writeValueAsString(entry.data());
        write(out, "id: " + journal.idOf(entry) + "\nevent: " + entry.type() + "\ndata: " + data + "\n\n");
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    static Set<String> parseTypes(String raw) {
        List<String> known = EventJournal.types();
        if (raw == null || raw.isBlank()) {
            return Set.copyOf(EventJournal.defaultTypes());
        }
        Set<String> types = new LinkedHashSet<>();
        for (String part : raw.split(",")) {
            String type = part.strip();
            if (!known.contains(type)) {
                throw ApiException.badRequest("Unknown event type '" + Bodies.truncate(type) + "' in 'types'; use any of " + known + ".");
            }
            types.add(type);
        }
        return types;
    }

    private static UUID parseUuid(String raw) {
        try {
            return UUID.fromString(raw.strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'agent_id' must be an agent UUID; got '" + Bodies.truncate(raw) + "'.");
        }
    }
}

package com.gururmm.server.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Commands.CommandOutputView;
import com.gururmm.protocol.api.Commands.OutputChunk;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiPredicate;

/**
 * {@code GET /api/commands/{id}/output}: a command's live output, as a page of chunks
 * ({@code ?after_seq=N}) or, with {@code ?follow=true}, as server-sent events until the
 * command reaches a final state.
 *
 * <p>Follow algorithm: register for wake-ups ({@link OutputFollowers}), then loop: read the
 * command's state and the chunks after the last one sent ({@link OutputService#read}, state
 * first), write them as {@code output} events with {@code id: <seq>} (so a reconnecting client
 * resumes with {@code Last-Event-ID}), and once the state is final and every chunk is out, write
 * one {@code end} event naming the status and exit code and close. Between reads the thread
 * sleeps until a chunk or status event rings, or {@link #KEEPALIVE} passes (then a comment line
 * goes out and the store is read anyway). Nothing is buffered per follower beyond one page: a
 * slow client simply reads the store later. The credential is checked again every
 * {@link #RECHECK}, as on {@code /api/events}.
 */
public final class OutputRoutes {
    static final Duration KEEPALIVE = Duration.ofSeconds(15);
    static final Duration RECHECK = Duration.ofSeconds(5);
    private static final ObjectMapper MAPPER = Json.mapper();

    private final OutputService output;
    private final OutputFollowers followers;
    private final AccessFilter.Users users;
    private final BiPredicate<Principal, UUID> commandVisible;

    /**
     * @param users          authenticates the stream's {@code Authorization} header again every {@link #RECHECK}
     * @param commandVisible whether a caller may still read a command (the route's own rule), checked with it
     */
    public OutputRoutes(OutputService output, OutputFollowers followers, AccessFilter.Users users,
                        BiPredicate<Principal, UUID> commandVisible) {
        this.output = output;
        this.followers = followers;
        this.users = users;
        this.commandVisible = commandVisible;
    }

    public void register(RouteTable routes) {
        routes.get("/api/commands/{id}/output", Rule.role(Role.VIEWER).onCommand("id"),
                "A command's live output: {chunks, next_seq, complete, more, status, exit_code} after ?after_seq=N (default 0);"
                        + " ?follow=true streams it as server-sent events (output, then end) until the command is final", ctx -> {
            UUID id = Bodies.uuidParam(ctx, "id");
            long after = parseAfter(Bodies.query(ctx, "after_seq"), "after_seq");
            if (!parseFollow(Bodies.query(ctx, "follow"))) {
                ctx.json(output.read(id, after));
                return;
            }
            String resume = ctx.header("Last-Event-ID");
            if (resume != null && !resume.isBlank()) {
                after = parseAfter(resume, "Last-Event-ID");
            }
            follow(ctx, id, after);
        });
    }

    private void follow(Context ctx, UUID id, long after) throws IOException {
        String authorization = ctx.header("Authorization");
        // The first read answers 404 as JSON before the stream starts, like the plain read.
        CommandOutputView view = output.read(id, after);
        OutputFollowers.Bell bell = followers.register(id);
        try {
            ctx.status(200);
            ctx.res().setContentType("text/event-stream;charset=utf-8");
            ctx.res().setHeader("Cache-Control", "no-store");
            ctx.res().setHeader("X-Accel-Buffering", "no");
            OutputStream out = ctx.res().getOutputStream();
            write(out, "retry: 2000\n\n");
            long recheckAt = System.nanoTime() + RECHECK.toNanos();
            while (true) {
                for (OutputChunk chunk : view.chunks()) {
                    write(out, "id: " + chunk.seq() + "\nevent: output\ndata: " + MAPPER.writeValueAsString(chunk) + "\n\n");
                }
                after = view.nextSeq();
                if (view.complete()) {
                    Map<String, Object> end = new LinkedHashMap<>();
                    end.put("command_id", id);
                    end.put("status", view.status());
                    end.put("exit_code", view.exitCode());
                    end.put("next_seq", after);
                    write(out, "event: end\ndata: " + MAPPER.writeValueAsString(end) + "\n\n");
                    out.flush();
                    return;
                }
                out.flush();
                if (!view.more() && !bell.await(KEEPALIVE.toMillis())) {
                    write(out, ": keepalive\n\n");
                    out.flush();
                }
                if (System.nanoTime() - recheckAt >= 0) {
                    recheckAt = System.nanoTime() + RECHECK.toNanos();
                    String refusal = recheck(authorization, id);
                    if (refusal != null) {
                        write(out, "event: unauthorized\ndata: " + MAPPER.writeValueAsString(Map.of("message", refusal)) + "\n\n");
                        out.flush();
                        return;
                    }
                }
                view = output.read(id, after);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException gone) {
            // The client went away; nothing to answer.
        } finally {
            followers.unregister(id, bell);
        }
    }

    /** Null while the caller may still read the command; otherwise why not. */
    private String recheck(String authorization, UUID id) {
        try {
            Principal caller = users.authenticate(authorization);
            return commandVisible.test(caller, id) ? null : "this command is no longer in your scope";
        } catch (ApiException refused) {
            // Only a refused credential ends the stream; a database blip is checked again later.
            return refused.status() == 401 ? refused.getMessage() : null;
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    static long parseAfter(String raw, String name) {
        if (raw == null || raw.isBlank()) {
            return 0;
        }
        try {
            long value = Long.parseLong(raw.strip());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // the message below
        }
        throw ApiException.badRequest("'" + name + "' must be a whole number of 0 or more (a chunk seq); got '" + Bodies.truncate(raw) + "'.");
    }

    static boolean parseFollow(String raw) {
        if (raw == null || raw.isBlank() || raw.strip().equals("false")) {
            return false;
        }
        if (raw.strip().equals("true")) {
            return true;
        }
        throw ApiException.badRequest("'follow' must be true or false; got '" + Bodies.truncate(raw) + "'.");
    }
}

package com.gururmm.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A subscription to {@code GET /api/events} (server-sent events). A reader thread parses the
 * stream into {@link Event}s; {@link #next} hands them out in order. {@link #lastEventId()} is
 * what to pass to {@link GuruClient#events} to resume after a disconnect.
 */
public final class EventStream implements AutoCloseable {
    /** One event: {@code type} is e.g. {@code command.status}, or {@code reset} when the client must reload. */
    public record Event(String id, String type, JsonNode data) {
    }

    private static final Event END = new Event(null, "__end", null);

    private final HttpResponse<Stream<String>> response;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile String lastEventId;
    private volatile boolean ended;

    EventStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = Thread.ofVirtual().name("gururmm-events").start(this::read);
    }

    private void read() {
        String id = null;
        String type = "message";
        StringBuilder data = new StringBuilder();
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        if (id != null) {
                            lastEventId = id;
                        }
                        events.add(new Event(id, type, parse(data.toString())));
                    }
                    id = null;
                    type = "message";
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    continue;
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    type = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).stripLeading());
                }
            }
        } catch (UncheckedIOException e) {
            // The connection ended (closed by us or the server).
        } finally {
            ended = true;
            events.add(END);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            return Json.mapper().getNodeFactory().textNode(json);
        }
    }

    /** The next event, or null if none arrives within {@code timeout} or the stream has ended. */
    public Event next(Duration timeout) throws InterruptedException {
        Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == END) {
            events.add(END);
            return null;
        }
        return event;
    }

    public boolean ended() {
        return ended && (events.isEmpty() || events.peek() == END);
    }

    public String lastEventId() {
        return lastEventId;
    }

    @Override
    public void close() {
        // Closing the body stream ends the HTTP exchange; the reader then sees the end.
        try {
            response.body().close();
        } finally {
            reader.interrupt();
        }
    }
}

package com.gururmm.agent.events;

import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.wire.AgentEvent;
import com.gururmm.protocol.wire.AgentMessage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports crash events (Windows bugchecks, unexpected shutdowns) once each.
 *
 * <p>{@link #check()} runs at start and every {@link #INTERVAL}: it reads the event source,
 * and every event not yet acknowledged (see {@link ReportedEvents}) and not older than
 * {@link #MAX_AGE} joins the pending set, which is sent as one {@code agent_events} frame. The
 * server answers {@code events_ack} once they are stored; only then are the keys written to the
 * state dir and dropped from pending. Whatever is pending is sent again when the link comes back
 * ({@link #sendPending()} on welcome) and at the next check, so nothing is lost to a dropped
 * connection, and the server's dedupe by key makes a repeat harmless.
 *
 * <p>{@code MAX_AGE}: on a machine's first check (a fresh install), the log may hold crashes
 * from years ago; alerting on those would be noise, so only the last 30 days are reported.
 */
public final class CrashReporter {
    private static final Logger log = LoggerFactory.getLogger(CrashReporter.class);
    public static final Duration INTERVAL = Duration.ofMinutes(10);
    static final Duration MAX_AGE = Duration.ofDays(30);

    private final EventLogSource source;
    private final ReportedEvents reported;
    private final Clock clock;
    private final Predicate<AgentMessage> send;
    private final Map<String, AgentEvent> pending = new LinkedHashMap<>();
    private boolean checkedOnce;

    /** @param send sends a frame if the link is up; false when it is not (the events stay pending) */
    public CrashReporter(EventLogSource source, StateDir state, Clock clock, Predicate<AgentMessage> send) {
        this.source = source;
        this.reported = new ReportedEvents(state);
        this.clock = clock;
        this.send = send;
    }

    /** Reads the source and sends what is new; never throws (a failed read is logged and retried at the next check). */
    public void check() {
        List<AgentEvent> found;
        try {
            found = BugcheckParser.parse(source.queryXml());
        } catch (IOException | RuntimeException e) {
            log.warn("could not read crash events from the event log: {}", e.toString());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Instant oldest = clock.instant().minus(MAX_AGE);
        synchronized (this) {
            int added = 0;
            for (AgentEvent event : found) {
                if (!reported.contains(event.eventKey()) && !event.occurredAt().isBefore(oldest) && !pending.containsKey(event.eventKey())) {
                    log.info("found {} event {}: {}", event.kind(), event.eventKey(), event.summary());
                    pending.put(event.eventKey(), event);
                    added++;
                }
            }
            if (!checkedOnce) {
                log.info("checked the event log for crash events: {} found, {} not reported yet", found.size(), added);
                checkedOnce = true;
            } else {
                log.debug("checked the event log for crash events: {} found, {} not reported yet", found.size(), added);
            }
        }
        sendPending();
    }

    /** Sends the pending events (oldest first, at most one frame's worth); called on check and on every welcome. */
    public synchronized void sendPending() {
        if (pending.isEmpty()) {
            return;
        }
        List<AgentEvent> batch = new ArrayList<>(pending.values());
        batch.sort(java.util.Comparator.comparing(AgentEvent::occurredAt));
        if (batch.size() > AgentMessage.AgentEvents.MAX_EVENTS) {
            batch = batch.subList(0, AgentMessage.AgentEvents.MAX_EVENTS);
        }
        send.test(new AgentMessage.AgentEvents(List.copyOf(batch)));
    }

    /** The server stored these: remember them, drop them from pending, and send the rest if any. */
    public void onAck(List<String> keys) {
        if (keys == null || keys.isEmpty()) {
            return;
        }
        reported.addAll(keys);
        boolean more;
        synchronized (this) {
            keys.forEach(pending::remove);
            more = !pending.isEmpty();
        }
        if (more) {
            sendPending();
        }
    }

    synchronized List<String> pendingKeys() {
        return List.copyOf(pending.keySet());
    }
}

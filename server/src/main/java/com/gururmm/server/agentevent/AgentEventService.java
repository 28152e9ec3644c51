package com.gururmm.server.agentevent;

import com.gururmm.protocol.api.AgentEvents.AgentEventView;
import com.gururmm.protocol.text.ControlChars;
import com.gururmm.protocol.wire.AgentEvent;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.server.events.AgentEventReported;
import com.gururmm.server.events.EventBus;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events agents report ({@code agent_events} frames): validated, stored once per agent and
 * event key, then published as {@link AgentEventReported} (the alert engine raises the bugcheck
 * alert from it) and acknowledged. Publishing follows the commit, so a subscriber that reads
 * the table finds the row; an event stored but not published (the process died in between) is
 * in the table for a subscriber's start-up catch-up.
 *
 * <p>Validation refuses the whole frame, storing nothing, when any event breaks a rule that
 * says the sender is broken or hostile (a kind or key outside their syntax, a NUL, a field over
 * its limit, a time more than {@link #MAX_CLOCK_SKEW} in the future, too many events or
 * details). Display text ({@code summary}, detail values) may carry any other character: what
 * {@link ControlChars} calls unsafe is replaced with U+FFFD, as for every agent-reported text.
 */
public final class AgentEventService {
    private static final Logger log = LoggerFactory.getLogger(AgentEventService.class);
    static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    static final Pattern DETAIL_KEY = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    /** Printable ASCII without spaces: keys are ids, compared byte for byte. */
    static final Pattern EVENT_KEY = Pattern.compile("[!-~]{1,200}");
    static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    static final int MAX_SUMMARY = 500;
    static final int MAX_DETAILS = 20;
    static final int MAX_DETAIL_VALUE = 2000;
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);
    /** Events from before this are refused as absurd (no Windows event log goes back further). */
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    private final AgentEventStore store;
    private final EventBus bus;
    private final Clock clock;

    public AgentEventService(AgentEventStore store, EventBus bus, Clock clock) {
        this.store = store;
        this.bus = bus;
        this.clock = clock;
    }

    /** Why the frame is refused, if it is; a frame that passes is stored before this returns. */
    public Optional<String> onEvents(UUID agentId, AgentMessage.AgentEvents frame, Consumer<List<String>> ack) {
        List<AgentEvent> events = frame.events();
        if (events == null || events.isEmpty()) {
            return Optional.of("agent_events needs a non-empty 'events' list");
        }
        if (events.size() > AgentMessage.AgentEvents.MAX_EVENTS) {
            return Optional.of("agent_events carries " + events.size() + " events; send at most " + AgentMessage.AgentEvents.MAX_EVENTS
                    + " per frame");
        }
        Instant now = clock.instant();
        List<AgentEventStore.NewEvent> rows = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        for (int i = 0; i < events.size(); i++) {
            AgentEvent e = events.get(i);
            String problem = e == null ? "is null" : problem(e, now);
            if (problem != null) {
                return Optional.of("events[" + i + "] " + problem + "; nothing in this frame was stored");
            }
            if (!keys.add(e.eventKey())) {
                continue; // the same key twice in one frame: one event
            }
            rows.add(new AgentEventStore.NewEvent(UUID.randomUUID(), agentId, e.eventKey(), e.kind(), e.severity(),
                    display(e.summary()), details(e.detailMap()), e.occurredAt(), now));
        }
        List<AgentEventStore.NewEvent> stored = store.insertNew(rows);
        for (AgentEventStore.NewEvent e : stored) {
            log.info("agent {} reported {} event {} ({}): {}", agentId, e.severity(), e.kind(), e.eventKey(), e.summary());
            bus.publish(AgentEventReported.TOPIC, new AgentEventReported(agentId, e.kind(), e.severity(), e.summary(), e.eventKey(),
                    e.occurredAt()));
        }
        ack.accept(List.copyOf(keys));
        return Optional.empty();
    }

    private static String problem(AgentEvent e, Instant now) {
        if (e.kind() == null || !KIND.matcher(e.kind()).matches()) {
            return "has kind " + quote(e.kind()) + "; it must be 1-40 lower-case letters, digits or _ (e.g. bugcheck)";
        }
        if (e.severity() == null || !SEVERITIES.contains(e.severity())) {
            return "has severity " + quote(e.severity()) + "; use info, warning or critical";
        }
        if (e.eventKey() == null || !EVENT_KEY.matcher(e.eventKey()).matches()) {
            return "has event_key " + quote(e.eventKey()) + "; it must be 1-200 printable ASCII characters without spaces";
        }
        if (e.summary() == null || e.summary().isBlank()) {
            return "needs a summary";
        }
        if (e.summary().length() > MAX_SUMMARY) {
            return "has a summary of " + e.summary().length() + " characters; the limit is " + MAX_SUMMARY;
        }
        if (e.summary().indexOf('\0') >= 0) {
            return "has a NUL in its summary";
        }
        if (e.occurredAt() == null) {
            return "needs occurred_at";
        }
        if (e.occurredAt().isAfter(now.plus(MAX_CLOCK_SKEW)) || e.occurredAt().isBefore(EARLIEST)) {
            return "has occurred_at " + e.occurredAt() + ", which is not a plausible time (the server's clock says " + now + ")";
        }
        List<AgentEvent.Detail> details = e.details() == null ? List.of() : e.details();
        if (details.size() > MAX_DETAILS) {
            return "has " + details.size() + " details; the limit is " + MAX_DETAILS;
        }
        Set<String> names = new java.util.HashSet<>();
        for (AgentEvent.Detail d : details) {
            if (d == null || d.name() == null || !DETAIL_KEY.matcher(d.name()).matches()) {
                return "has detail name " + quote(d == null ? null : d.name()) + "; names are 1-64 lower-case letters, digits or _";
            }
            if (!names.add(d.name())) {
                return "has detail '" + d.name() + "' twice";
            }
            if (d.value() != null && d.value().length() > MAX_DETAIL_VALUE) {
                return "has detail '" + d.name() + "' of " + d.value().length() + " characters; the limit is " + MAX_DETAIL_VALUE;
            }
            if (d.value() != null && d.value().indexOf('\0') >= 0) {
                return "has a NUL in detail '" + d.name() + "'";
            }
        }
        return null;
    }

    /** Quoted for a refusal message, clipped and with hostile characters made visible. */
    private static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String clipped = value.length() > 60 ? value.substring(0, 60) + "..." : value;
        return "'" + ControlChars.escape(clipped) + "'";
    }

    private static String display(String text) {
        if (text.chars().noneMatch(ControlChars::isUnsafe)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        text.chars().forEach(c -> out.append(ControlChars.isUnsafe(c) ? '\uFFFD' : (char) c));
        return out.toString();
    }

    private static Map<String, String> details(Map<String, String> details) {
        Map<String, String> out = new TreeMap<>();
        if (details != null) {
            details.forEach((k, v) -> out.put(k, v == null ? "" : display(v)));
        }
        return out;
    }

    public List<AgentEventView> list(UUID agentId, String kind, int limit) {
        if (kind != null && !KIND.matcher(kind).matches()) {
            throw ApiException.badRequest("'kind' must be 1-40 lower-case letters, digits or _ (e.g. bugcheck); got " + quote(kind) + ".");
        }
        if (limit < 1 || limit > 1000) {
            throw ApiException.badRequest("'limit' must be between 1 and 1000; got " + limit + ".");
        }
        return store.list(agentId, kind, limit);
    }
}

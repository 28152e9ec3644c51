package com.gururmm.server.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The recent events operators may watch ({@code GET /api/events}), numbered, so a client that
 * reconnects with {@code Last-Event-ID} gets exactly what it missed.
 *
 * <p>The journal subscribes to the streamable topics, gives every event the next sequence
 * number and keeps the newest {@link #DEFAULT_CAPACITY} in a ring. Attaching a listener and
 * replaying the ring happen under the same lock as appending, so a reconnecting client sees
 * every event after its last id exactly once, in order. Ids carry this process's epoch
 * ({@code <epoch>-<seq>}): an id from before a restart, or one that has fallen out of the ring,
 * cannot be resumed and the client is told to reload ({@link Resume#gap()}).
 */
public final class EventJournal implements AutoCloseable {
    public static final int DEFAULT_CAPACITY = 10_000;
    /**
     * Live-output text the ring may hold: output events are large (up to 16 KiB each), so beside the
     * count the ring is bounded by their text; past it the oldest entries leave early (a client
     * resuming from one of them is told to reload, as for any id that has left the ring).
     */
    public static final long OUTPUT_BUDGET_CHARS = 8L * 1024 * 1024;
    /** Types a client gets only when it names them in {@code types} (they are many and large). */
    private static final List<String> OPT_IN = List.of(CommandOutputReceived.TOPIC.name());

    /** One streamed event: {@code type} is the topic name, {@code agentId} what it concerns (for filtering and scope). */
    public record Entry(long seq, String type, UUID agentId, Object data) {
    }

    /** Receives entries appended after it attached; must not block (it runs on the bus's thread for the topic). */
    public interface Listener {
        void accept(Entry entry);
    }

    /** What a (re)connecting client gets: the entries it missed, or {@code gap} when they are no longer known. */
    public record Resume(List<Entry> missed, boolean gap) {
    }

    private final String epoch;
    private final int capacity;
    private final ArrayDeque<Entry> ring;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<EventBus.Subscription> subscriptions = new ArrayList<>();
    private long nextSeq = 1;
    private long ringOutputChars;

    public EventJournal(EventBus bus) {
        this(bus, DEFAULT_CAPACITY, Long.toString(System.currentTimeMillis(), 36));
    }

    EventJournal(EventBus bus, int capacity, String epoch) {
        this.capacity = capacity;
        this.epoch = epoch;
        this.ring = new ArrayDeque<>(capacity);
        follow(bus, AgentPresence.TOPIC, AgentPresence::agentId);
        follow(bus, CommandStatusChanged.TOPIC, CommandStatusChanged::agentId);
        follow(bus, AlertChanged.TOPIC, AlertChanged::agentId);
        follow(bus, CommandOutputReceived.TOPIC, CommandOutputReceived::agentId);
        follow(bus, BatchProgress.TOPIC, progress -> null);
    }

    /** The event types a client may ask for. */
    public static List<String> types() {
        return List.of(AgentPresence.TOPIC.name(), CommandStatusChanged.TOPIC.name(), AlertChanged.TOPIC.name(),
                CommandOutputReceived.TOPIC.name(), BatchProgress.TOPIC.name());
    }

    /** What a client that names no {@code types} gets: every type but the opt-in ones ({@code command.output}). */
    public static List<String> defaultTypes() {
        return types().stream().filter(t -> !OPT_IN.contains(t)).toList();
    }

    /** The text an entry holds for the ring's output budget. */
    static long weight(Entry entry) {
        return entry.data() instanceof CommandOutputReceived output && output.data() != null ? output.data().length() : 0;
    }

    private <T> void follow(EventBus bus, Topic<T> topic, Function<T, UUID> agentOf) {
        subscriptions.add(bus.subscribe(topic, event -> append(topic.name(), agentOf.apply(event), event)));
    }

    void append(String type, UUID agentId, Object data) {
        Entry entry;
        synchronized (this) {
            entry = new Entry(nextSeq++, type, agentId, data);
            if (ring.size() == capacity) {
                ringOutputChars -= weight(ring.removeFirst());
            }
            ring.addLast(entry);
            ringOutputChars += weight(entry);
            while (ringOutputChars > OUTPUT_BUDGET_CHARS && ring.size() > 1) {
                ringOutputChars -= weight(ring.removeFirst());
            }
            for (Listener listener : listeners) {
                listener.accept(entry);
            }
        }
    }

    /** The id a client sends back as {@code Last-Event-ID}. */
    public String idOf(Entry entry) {
        return epoch + "-" + entry.seq();
    }

    /**
     * Attaches {@code listener} for everything appended from now on and returns what came after
     * {@code lastEventId} (null: a fresh client, nothing to replay).
     */
    public synchronized Resume attach(String lastEventId, Listener listener) {
        listeners.add(listener);
        if (lastEventId == null || lastEventId.isBlank()) {
            return new Resume(List.of(), false);
        }
        Optional<Long> after = parse(lastEventId.strip());
        long oldest = ring.isEmpty() ? nextSeq : ring.getFirst().seq();
        if (after.isEmpty() || after.get() >= nextSeq || after.get() < oldest - 1) {
            return new Resume(List.of(), true);
        }
        List<Entry> missed = ring.stream().filter(e -> e.seq() > after.get()).toList();
        return new Resume(missed, false);
    }

    public void detach(Listener listener) {
        listeners.remove(listener);
    }

    private Optional<Long> parse(String id) {
        int dash = id.lastIndexOf('-');
        if (dash <= 0 || !id.substring(0, dash).equals(epoch)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(id.substring(dash + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        subscriptions.forEach(EventBus.Subscription::close);
        listeners.clear();
    }
}

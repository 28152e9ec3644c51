package com.gururmm.agent.events;

import com.gururmm.agent.state.StateDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event keys the server has acknowledged, one per line in {@code reported-events} in the
 * state dir, so each occurrence is reported once across restarts. Bounded to the newest
 * {@link #MAX_KEYS}: the source returns at most 50 events, so a key older than that can never
 * come back.
 */
final class ReportedEvents {
    private static final Logger log = LoggerFactory.getLogger(ReportedEvents.class);
    static final String FILE = "reported-events";
    static final int MAX_KEYS = 1000;
    private final StateDir state;
    private final Path file;
    private final LinkedHashSet<String> keys = new LinkedHashSet<>();

    ReportedEvents(StateDir state) {
        this.state = state;
        this.file = state.resolve(FILE);
        state.read(file).ifPresent(text -> text.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(keys::add));
    }

    synchronized boolean contains(String key) {
        return keys.contains(key);
    }

    synchronized void addAll(List<String> acknowledged) {
        boolean changed = false;
        for (String key : acknowledged) {
            if (key != null && !key.isBlank() && key.indexOf('\n') < 0 && keys.add(key)) {
                changed = true;
            }
        }
        while (keys.size() > MAX_KEYS) {
            keys.remove(keys.iterator().next());
        }
        if (changed) {
            try {
                state.writeAtomically(file, String.join("\n", keys) + "\n", false);
            } catch (IOException e) {
                // Kept in memory: this run reports nothing twice; after a restart the server's dedupe absorbs a repeat.
                log.warn("could not record reported events in {}: {}", file, e.toString());
            }
        }
    }

    synchronized Set<String> snapshot() {
        return Set.copyOf(keys);
    }
}

package com.gururmm.agent.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.wire.MetricSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples not yet acknowledged by the server, one file per sample under {@code <state dir>/metrics}
 * ({@code <epoch millis>.json}), so a backlog survives an agent restart as well as an outage. The
 * buffer is bounded: past {@code capacity} samples the oldest are dropped (by default 24 hours at
 * one a minute), so a machine offline for a month does not fill its disk.
 *
 * <p>Files are replaced atomically but not fsynced: a sample is worth less than a disk flush a
 * minute, and one lost in a power cut is a gap in a chart, not a lost command result.
 */
public final class MetricsBuffer {
    private static final Logger log = LoggerFactory.getLogger(MetricsBuffer.class);

    private final StateDir state;
    private final Path dir;
    private final int capacity;
    private final TreeMap<Long, MetricSample> samples = new TreeMap<>();
    private boolean diskWarned;
    private long dropped;

    public MetricsBuffer(StateDir state, int capacity) {
        this.state = state;
        this.dir = state.resolve("metrics");
        this.capacity = capacity;
        load();
    }

    private void load() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            log.warn("cannot create {} ({}); unsent metrics are kept in memory only", dir, e.getMessage());
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().matches("\\d+\\.json")).forEach(p -> state.read(p).ifPresent(text -> {
                try {
                    MetricSample sample = Json.mapper().readValue(text, MetricSample.class);
                    if (sample != null && sample.at() != null) {
                        samples.put(sample.at().toEpochMilli(), sample);
                    }
                } catch (JsonProcessingException e) {
                    log.warn("ignoring unreadable buffered sample {}", p);
                    delete(p);
                }
            }));
        } catch (IOException e) {
            log.warn("cannot list {}: {}", dir, e.getMessage());
        }
        trim();
        if (!samples.isEmpty()) {
            log.info("{} unsent metrics samples from before the restart are buffered", samples.size());
        }
    }

    public synchronized void add(MetricSample sample) {
        long key = sample.at().toEpochMilli();
        samples.put(key, sample);
        try {
            state.writeAtomicallyNoSync(file(key), Json.mapper().writeValueAsString(sample));
        } catch (IOException e) {
            if (!diskWarned) {
                diskWarned = true;
                log.warn("cannot write buffered metrics to {} ({}); keeping them in memory", dir, e.getMessage());
            }
        }
        trim();
    }

    private void trim() {
        while (samples.size() > capacity) {
            Map.Entry<Long, MetricSample> oldest = samples.pollFirstEntry();
            delete(file(oldest.getKey()));
            if (dropped++ % 100 == 0) {
                log.warn("metrics buffer full ({} samples): dropping the oldest ({})", capacity, oldest.getValue().at());
            }
        }
    }

    /** The oldest buffered samples not in {@code exclude}, at most {@code limit}, oldest first. */
    public synchronized List<MetricSample> oldest(int limit, java.util.Set<Long> exclude) {
        List<MetricSample> out = new ArrayList<>();
        for (Map.Entry<Long, MetricSample> e : samples.entrySet()) {
            if (out.size() >= limit) {
                break;
            }
            if (!exclude.contains(e.getKey())) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    /** The server has them: forget these samples. */
    public synchronized void remove(List<Long> keys) {
        for (Long key : keys) {
            if (samples.remove(key) != null) {
                delete(file(key));
            }
        }
    }

    public synchronized int size() {
        return samples.size();
    }

    private void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", file, e.getMessage());
        }
    }

    private Path file(long key) {
        return dir.resolve(key + ".json");
    }
}

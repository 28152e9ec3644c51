package com.gururmm.agent.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable command record: one append-only log, {@code <state>/ledger.log}, behind
 * both the {@link Journal} (which ids were started) and the {@link Outbox} (results not yet
 * acknowledged). Each change is one JSON line appended; the two that guarantee "nothing run
 * twice" and "nothing lost" (a claim, a result) are followed by one {@code fdatasync}, about
 * 0.2 ms, where a file per entry cost a file fsync, a rename and a directory fsync (1.6–1.9 ms).
 *
 * <p>The log is replayed into memory when the agent starts; a line torn by a crash mid-append is
 * cut off (it was never synced, so nothing that was promised is in it). When the log grows past
 * twice what it still describes, it is rewritten: the live state to a temp file, fsync, rename,
 * fsync the directory, so a crash leaves the old log or the new one.
 *
 * <p>Entries of the earlier layout (a file per entry in {@code journal/} and {@code outbox/}) are
 * taken over on first open, so an agent updated from an older version keeps its promises; the
 * old files go only once the update is confirmed ({@link #retireOldLayout}).
 *
 * <p>If a line cannot be written the agent carries on from memory (still never running an id
 * twice while it lives), reports a state problem, as for every other state file, and tries the
 * file again at the next line.
 */
public final class Ledger {
    private static final Logger log = LoggerFactory.getLogger(Ledger.class);
    public static final String FILE = "ledger.log";
    /** Below this size the log is never rewritten: not worth the fsyncs. */
    private static final long COMPACT_FLOOR_BYTES = 4L * 1024 * 1024;

    /** One line of the log. {@code op}: claim, running, done, result, ack. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(String op, UUID id, Long pid, Instant processStart, Instant at, CommandResult result) {
    }

    private final StateDir state;
    private final Path file;
    /** Journal entries by command id, in claim order. */
    private final Map<UUID, Journal.Entry> entries = new LinkedHashMap<>();
    /** Unacknowledged results by command id, in the order they were stored. */
    private final Map<UUID, CommandResult> results = new LinkedHashMap<>();
    private FileChannel channel;
    /** Where the last complete line ends: a failed append is cut back to it. */
    private long logBytes;
    /** The log could not be read at start: never rewritten from memory (that would drop what it holds). */
    private boolean unreadable;
    /** Compaction is next considered when the log reaches this size. */
    private long nextCompactionCheck = COMPACT_FLOOR_BYTES;

    private Ledger(StateDir state) {
        this.state = state;
        this.file = state.resolve(FILE);
    }

    /** Opens (replays, takes over the old layout, cuts a torn tail) the ledger of {@code state}. */
    static Ledger open(StateDir state) {
        Ledger ledger = new Ledger(state);
        ledger.load();
        return ledger;
    }

    /**
     * The results a ledger holds unacknowledged, read without opening it for writing: for tools
     * and tests that look at an agent's state from outside (the agent may be running).
     */
    public static List<CommandResult> unacknowledgedResults(Path stateRoot) {
        Map<UUID, CommandResult> out = new LinkedHashMap<>();
        Path path = stateRoot.resolve(FILE);
        if (Files.exists(path)) {
            try {
                for (Line line : parse(Files.readAllBytes(path)).lines()) {
                    if (line.op().equals("result")) {
                        out.put(line.id(), line.result());
                    } else if (line.op().equals("ack")) {
                        out.remove(line.id());
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return List.copyOf(out.values());
    }

    // --- journal ---------------------------------------------------------------------------

    synchronized boolean contains(UUID id) {
        return entries.containsKey(id);
    }

    /** Records the claim durably; false if {@code id} was claimed before. */
    synchronized boolean claim(UUID id) {
        if (entries.containsKey(id)) {
            return false;
        }
        Journal.Entry entry = new Journal.Entry(id, "starting", null, null, Instant.now());
        entries.put(id, entry);
        append(new Line("claim", id, null, null, entry.updatedAt(), null), true);
        return true;
    }

    synchronized void markRunning(UUID id, long pid, Instant processStart) {
        Journal.Entry entry = new Journal.Entry(id, "running", pid, processStart, Instant.now());
        entries.put(id, entry);
        append(new Line("running", id, pid, processStart, entry.updatedAt(), null), false);
    }

    synchronized void markDone(UUID id) {
        Journal.Entry old = entries.get(id);
        if (old != null && old.state().equals("done")) {
            return; // storing the result already said so
        }
        Journal.Entry entry = new Journal.Entry(id, "done", null, null, Instant.now());
        entries.put(id, entry);
        append(new Line("done", id, null, null, entry.updatedAt(), null), false);
    }

    synchronized List<Journal.Entry> unfinished() {
        return entries.values().stream().filter(e -> !e.state().equals("done")).toList();
    }

    /** Forgets finished entries older than {@code cutoff}, then rewrites the log if that shrank it enough. */
    synchronized void prune(Instant cutoff) {
        entries.values().removeIf(e -> e.state().equals("done") && e.updatedAt().isBefore(cutoff) && !results.containsKey(e.commandId()));
        compactIfWorthIt(true);
    }

    // --- outbox ----------------------------------------------------------------------------

    /** Stores a result durably; it also marks its command done. */
    synchronized void putResult(CommandResult result) {
        UUID id = result.commandId();
        results.remove(id);
        results.put(id, result);
        entries.put(id, new Journal.Entry(id, "done", null, null, Instant.now()));
        append(new Line("result", id, null, null, null, result), true);
    }

    synchronized Optional<CommandResult> result(UUID id) {
        return Optional.ofNullable(results.get(id));
    }

    synchronized boolean hasResult(UUID id) {
        return results.containsKey(id);
    }

    synchronized List<CommandResult> allResults() {
        return List.copyOf(results.values());
    }

    /** The server has stored it. Not synced: a lost ack only means the result is sent once more (and deduplicated). */
    synchronized void ack(UUID id) {
        if (results.remove(id) != null) {
            append(new Line("ack", id, null, null, null, null), false);
            compactIfWorthIt(false);
        }
    }

    // --- the log ---------------------------------------------------------------------------

    private void load() {
        try {
            if (Files.exists(file)) {
                byte[] bytes = Files.readAllBytes(file);
                Parsed parsed = parse(bytes);
                parsed.lines().forEach(this::apply);
                if (parsed.skipped() > 0) {
                    log.warn("{}: ignored {} unreadable line(s)", file, parsed.skipped());
                }
                logBytes = parsed.validLength();
                if (parsed.validLength() < bytes.length) {
                    // A line torn by a crash mid-append: never synced, so never promised. Cut it off so
                    // the next append starts on a line of its own.
                    log.warn("{}: cutting off {} bytes of a torn last line", file, bytes.length - parsed.validLength());
                    try (FileChannel truncate = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        truncate.truncate(parsed.validLength());
                        truncate.force(false);
                    }
                }
            }
            if (takeOverOldLayout()) {
                rewrite();
            }
        } catch (IOException e) {
            unreadable = true;
            fail(e);
        }
    }

    private void apply(Line line) {
        UUID id = line.id();
        switch (line.op()) {
            case "claim" -> entries.put(id, new Journal.Entry(id, "starting", null, null, line.at()));
            case "running" -> entries.put(id, new Journal.Entry(id, "running", line.pid(), line.processStart(), line.at()));
            case "done" -> entries.put(id, new Journal.Entry(id, "done", null, null, line.at()));
            case "result" -> {
                results.remove(id);
                results.put(id, line.result());
                Journal.Entry old = entries.get(id);
                Instant at = line.at() != null ? line.at() : old != null ? old.updatedAt() : Instant.now();
                entries.put(id, new Journal.Entry(id, "done", null, null, at));
            }
            case "ack" -> results.remove(id);
            default -> log.warn("{}: ignoring a line with unknown op {}", file, line.op());
        }
    }

    private record Parsed(List<Line> lines, long validLength, int skipped) {
    }

    /** Complete lines only; {@code validLength} ends after the last newline. */
    private static Parsed parse(byte[] bytes) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        int skipped = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            if (i > start) {
                try {
                    Line line = Json.mapper().readValue(bytes, start, i - start, Line.class);
                    if (line != null && line.op() != null && line.id() != null && (!line.op().equals("result") || line.result() != null)) {
                        lines.add(line);
                    } else {
                        skipped++;
                    }
                } catch (IOException e) {
                    skipped++;
                }
            }
            start = i + 1;
        }
        return new Parsed(lines, start, skipped);
    }

    /**
     * Moves entries of the one-file-per-entry layout in; true if there were any. An id the log
     * already knows wins: old files outlive the log's first rewrite only if deleting them failed.
     */
    private boolean takeOverOldLayout() {
        Set<UUID> known = new java.util.HashSet<>(entries.keySet());
        List<Path> journalFiles = oldFiles("journal");
        List<Path> outboxFiles = oldFiles("outbox");
        for (Path old : journalFiles) {
            readOld(old, Journal.Entry.class).filter(e -> !known.contains(e.commandId())).ifPresent(e -> entries.put(e.commandId(), e));
        }
        for (Path old : outboxFiles) {
            readOld(old, CommandResult.class).filter(r -> !known.contains(r.commandId())).ifPresent(r -> {
                results.put(r.commandId(), r);
                Journal.Entry claimed = entries.get(r.commandId());
                entries.put(r.commandId(), new Journal.Entry(r.commandId(), "done", null, null,
                        claimed != null ? claimed.updatedAt() : Instant.now()));
            });
        }
        return !journalFiles.isEmpty() || !outboxFiles.isEmpty();
    }

    private List<Path> oldFiles(String dir) {
        Path path = state.resolve(dir);
        if (!Files.isDirectory(path)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(path)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private <T> Optional<T> readOld(Path path, Class<T> type) {
        return state.read(path).flatMap(text -> {
            try {
                return Optional.ofNullable(Json.mapper().readValue(text, type));
            } catch (JsonProcessingException e) {
                log.warn("ignoring unreadable entry {}", path);
                return Optional.empty();
            }
        });
    }

    /**
     * Deletes the old layout's files once they were taken over. Not at the takeover itself: until
     * this version is confirmed (its update healthy), the launcher may roll back to one that reads
     * only those files. The log already holds everything in them.
     */
    synchronized void retireOldLayout() {
        if (!oldFiles("journal").isEmpty() || !oldFiles("outbox").isEmpty()) {
            if (!Files.exists(file)) {
                return; // never taken over (the log could not be written): the old files are all there is
            }
            deleteOldLayout();
        }
    }

    private void deleteOldLayout() {
        for (String dir : List.of("journal", "outbox")) {
            for (Path old : oldFiles(dir)) {
                try {
                    Files.deleteIfExists(old);
                } catch (IOException e) {
                    log.debug("cannot delete {}: {}", old, e.getMessage());
                }
            }
            try {
                Files.deleteIfExists(state.resolve(dir));
            } catch (IOException e) {
                log.debug("keeping {}: {}", dir, e.getMessage());
            }
        }
    }

    /**
     * Appends one line (and syncs it when {@code durable}). A failure (a full disk for a moment, an
     * I/O error) is reported, the half-written line is cut off and the file reopened at the next
     * append: each write stands or fails on its own, as each entry's file did in the old layout,
     * and the in-memory state carries on meanwhile.
     */
    private void append(Line line, boolean durable) {
        try {
            if (channel == null) {
                boolean created = !Files.exists(file);
                channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                        StateDir.privateFile());
                if (created) {
                    StateDir.syncDirectory(file.getParent());
                }
                logBytes = channel.size();
            }
            byte[] bytes = lineBytes(line);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (durable) {
                channel.force(false);
            }
            logBytes += bytes.length;
        } catch (IOException e) {
            fail(e);
            discardPartialLine();
        }
    }

    private void discardPartialLine() {
        FileChannel open = channel;
        channel = null;
        if (open == null) {
            return;
        }
        try (open) {
            if (open.size() > logBytes) {
                open.truncate(logBytes);
            }
        } catch (IOException ignored) {
            // if even that fails, the next start cuts a torn last line, and skips an unreadable one
        }
    }

    private static byte[] lineBytes(Line line) throws JsonProcessingException {
        byte[] json = Json.mapper().writeValueAsBytes(line);
        byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
        out[json.length] = '\n';
        return out;
    }

    /** Rewrites the log when it is mostly history (or, at start, whenever it holds pruned entries). */
    private void compactIfWorthIt(boolean atStart) {
        if (unreadable || logBytes < COMPACT_FLOOR_BYTES || (!atStart && logBytes < nextCompactionCheck)) {
            return;
        }
        long live = liveBytes();
        if (logBytes > 2 * live || (atStart && logBytes > live)) {
            try {
                rewrite();
            } catch (IOException e) {
                fail(e);
            }
        }
        // Measuring what is live means serialising it: not on every acknowledgement of a long backlog.
        nextCompactionCheck = Math.max(logBytes, COMPACT_FLOOR_BYTES) + COMPACT_FLOOR_BYTES / 4;
    }

    private long liveBytes() {
        try {
            long total = 0;
            for (Line line : snapshot()) {
                total += lineBytes(line).length;
            }
            return total;
        } catch (JsonProcessingException e) {
            return Long.MAX_VALUE;
        }
    }

    private List<Line> snapshot() {
        List<Line> lines = new ArrayList<>();
        for (Journal.Entry e : entries.values()) {
            if (!results.containsKey(e.commandId())) {
                String op = switch (e.state()) {
                    case "starting" -> "claim";
                    case "running" -> "running";
                    default -> "done";
                };
                lines.add(new Line(op, e.commandId(), e.pid(), e.processStart(), e.updatedAt(), null));
            }
        }
        for (CommandResult r : results.values()) {
            Journal.Entry e = entries.get(r.commandId());
            lines.add(new Line("result", r.commandId(), null, null, e != null ? e.updatedAt() : null, r));
        }
        return lines;
    }

    /** The live state to a temp file, synced, renamed over the log, directory synced. */
    private void rewrite() throws IOException {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        long written = 0;
        try (FileChannel out = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), StateDir.privateFile())) {
            for (Line line : snapshot()) {
                ByteBuffer buffer = ByteBuffer.wrap(lineBytes(line));
                written += buffer.remaining();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            out.force(true);
        }
        if (channel != null) {
            channel.close();
            channel = null;
        }
        StateDir.moveAtomically(tmp, file);
        StateDir.syncDirectory(file.getParent());
        logBytes = written;
    }

    private void fail(IOException e) {
        state.reportProblem("cannot write the command ledger " + file + " (" + e.getMessage()
                + "); duplicate deliveries are only filtered, and unacknowledged results only kept, until the agent restarts");
    }
}

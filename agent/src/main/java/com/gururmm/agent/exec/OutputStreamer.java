package com.gururmm.agent.exec;

import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.AgentMessage.CommandOutput;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live view of one running command's output: what its stdout and stderr drains keep is also
 * sent to the server as {@code command_output} messages while the process runs.
 *
 * <p>Algorithm. The drain threads ({@link OutputCapture}) hand every kept read to {@link #sink};
 * it is decoded as UTF-8 with one streaming decoder per stream (so a character split across two
 * reads is never split across two chunks, and the text equals what the final result decodes from
 * the same bytes) and appended to a queue of pending segments, one per run of the same stream, so
 * the interleaving of stdout and stderr is kept. One sender thread per command takes the whole
 * queue every {@link Settings#interval()} (at once when {@link CommandOutput#MAX_DATA_CHARS} are
 * waiting), cuts it into messages of at most that size and sends them in order with seq 1, 2, ...
 *
 * <p>Bounds. At most {@link Settings#maxBytes()} bytes of output per command are streamed; then
 * the rest is only in the result and a last message says {@code stopped: cap}. Sending blocks
 * while the link is slow; output produced meanwhile waits in the queue, and when more than
 * {@link Settings#backlogChars()} are waiting, or what waits is older than {@link Settings#maxLag()}
 * (the view is no longer live), the queue is dropped and streaming ends for the command
 * ({@code stopped: backlog}) rather than buffering on. The queue never holds more than the cap
 * either, so memory is bounded whatever the settings. Neither touches the result, which
 * {@link CommandExecutor} sends durably as before. A message that cannot be sent
 * (no connection) is lost, not retried: this is a live view, and its seq is simply missing.
 */
public final class OutputStreamer {
    private static final Logger log = LoggerFactory.getLogger(OutputStreamer.class);
    /** How long {@link #finish()} waits for the last chunks to go out before the result goes anyway. */
    private static final Duration FINISH_WAIT = Duration.ofSeconds(10);

    /**
     * Streaming settings ({@code GURURMM_OUTPUT_STREAM*}, docs/OPERATIONS.md "Live command output").
     *
     * @param enabled      {@code GURURMM_OUTPUT_STREAM} ({@code on}/{@code off}, default on)
     * @param maxBytes     {@code GURURMM_OUTPUT_STREAM_MAX_KB} (default 2048: both streams' full result): bytes streamed per command
     * @param backlogChars {@code GURURMM_OUTPUT_STREAM_BACKLOG_KB} (default 2048, as the cap: a burst as large as the
     *                     result is streamed whole): output waiting for a slow link before streaming stops
     * @param interval     {@code GURURMM_OUTPUT_STREAM_INTERVAL_MS} (default 200, 20..5000): how often a batch goes out
     * @param maxLag       {@code GURURMM_OUTPUT_STREAM_MAX_LAG_SECONDS} (default 30): output waiting longer than this for a
     *                     slow link stops streaming
     */
    public record Settings(boolean enabled, long maxBytes, int backlogChars, Duration interval, Duration maxLag) {
        public static final Settings DEFAULTS = new Settings(true, 2048L * 1024, 2048 * 1024, Duration.ofMillis(200), Duration.ofSeconds(30));
        public static final Settings OFF = new Settings(false, 0, 0, Duration.ofMillis(200), Duration.ofSeconds(30));

        /** From the agent's settings ({@code AgentConfig.settings}); a bad value is an error naming the key. */
        public static Settings from(Map<String, String> settings) {
            String enabled = settings.getOrDefault("GURURMM_OUTPUT_STREAM", "on").trim();
            if (!enabled.equals("on") && !enabled.equals("off")) {
                throw new IllegalArgumentException("GURURMM_OUTPUT_STREAM is '" + enabled + "'; use on (stream command output live) or off");
            }
            return new Settings(enabled.equals("on"),
                    integer(settings, "GURURMM_OUTPUT_STREAM_MAX_KB", 2048, 1, 64 * 1024) * 1024L,
                    integer(settings, "GURURMM_OUTPUT_STREAM_BACKLOG_KB", 2048, 16, 64 * 1024) * 1024,
                    Duration.ofMillis(integer(settings, "GURURMM_OUTPUT_STREAM_INTERVAL_MS", 200, 20, 5000)),
                    Duration.ofSeconds(integer(settings, "GURURMM_OUTPUT_STREAM_MAX_LAG_SECONDS", 30, 1, 3600)));
        }

        private static int integer(Map<String, String> settings, String key, int fallback, int min, int max) {
            String value = settings.get(key);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value.trim());
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException ignored) {
                // the message below
            }
            throw new IllegalArgumentException(key + " is '" + value + "'; set it to a whole number between " + min + " and " + max);
        }
    }

    /** Where a drain thread hands the bytes it keeps. */
    interface Sink {
        void accept(byte[] buffer, int offset, int length);
    }

    /** A run of text of one stream, in arrival order. */
    private static final class Segment {
        final String stream;
        final StringBuilder text = new StringBuilder();
        final Instant at;

        Segment(String stream, Instant at) {
            this.stream = stream;
            this.at = at;
        }
    }

    private final UUID commandId;
    private final Predicate<AgentMessage> sender;
    private final Settings settings;
    private final Object lock = new Object();
    // Guarded by lock:
    private final ArrayDeque<Segment> pending = new ArrayDeque<>();
    private final CharsetDecoder stdoutDecoder = decoder();
    private final CharsetDecoder stderrDecoder = decoder();
    private final ByteBuffer stdoutCarry = ByteBuffer.allocate(8);
    private final ByteBuffer stderrCarry = ByteBuffer.allocate(8);
    private int pendingChars;
    private long pendingSince;
    private long acceptedBytes;
    private String stopped;
    private boolean stopAnnounced;
    private boolean finishing;
    private boolean abandoned;
    /** Whether the sender has taken a batch yet (output went live while the process ran). */
    private boolean streamedAny;
    private final long startedNanos = System.nanoTime();
    // Sender thread only:
    private long seq;
    private long stdoutOffset;
    private long stderrOffset;
    private final Thread thread;

    /** @param sender sends one message if the link is up; false when it could not (the message is then lost) */
    public OutputStreamer(UUID commandId, Settings settings, Predicate<AgentMessage> sender) {
        this.commandId = commandId;
        this.settings = settings;
        this.sender = sender;
        this.thread = Thread.ofVirtual().name("output-" + commandId).start(this::sendLoop);
    }

    Sink sink(String stream) {
        return (buffer, offset, length) -> accept(stream, buffer, offset, length);
    }

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    private void accept(String stream, byte[] buffer, int offset, int length) {
        synchronized (lock) {
            if (stopped != null || finishing || length <= 0) {
                return;
            }
            boolean wasEmpty = pendingChars == 0;
            long room = settings.maxBytes() - acceptedBytes;
            int take = (int) Math.min(length, Math.max(0, room));
            acceptedBytes += take;
            append(stream, decode(stream, buffer, offset, take, false));
            if (take < length) {
                stop(CommandOutput.STOPPED_CAP);
            }
            boolean lagging = pendingChars > 0 && System.nanoTime() - pendingSince > settings.maxLag().toNanos();
            if (pendingChars > settings.backlogChars() || lagging) {
                // The link is not keeping up: give the memory back and leave the output to the result.
                pending.clear();
                pendingChars = 0;
                stop(CommandOutput.STOPPED_BACKLOG);
            }
            // The sender sleeps without a deadline while nothing is pending: wake it to start the batch's clock.
            if ((wasEmpty && pendingChars > 0) || pendingChars >= CommandOutput.MAX_DATA_CHARS || stopped != null) {
                lock.notifyAll();
            }
        }
    }

    /** Decodes {@code length} bytes, carrying an incomplete trailing character over to the next call. */
    private String decode(String stream, byte[] buffer, int offset, int length, boolean endOfInput) {
        CharsetDecoder decoder = stream.equals(CommandOutput.STDOUT) ? stdoutDecoder : stderrDecoder;
        ByteBuffer carry = stream.equals(CommandOutput.STDOUT) ? stdoutCarry : stderrCarry;
        ByteBuffer in;
        if (carry.position() > 0) {
            carry.flip();
            in = ByteBuffer.allocate(carry.remaining() + length);
            in.put(carry).put(buffer, offset, length).flip();
            carry.clear();
        } else {
            in = ByteBuffer.wrap(buffer, offset, length);
        }
        CharBuffer out = CharBuffer.allocate(in.remaining() + 4);
        decoder.decode(in, out, endOfInput);
        if (endOfInput) {
            decoder.flush(out);
        }
        carry.put(in); // at most 3 bytes of a character still to come
        return out.flip().toString();
    }

    private void append(String stream, String text) {
        if (text.isEmpty()) {
            return;
        }
        Segment last = pending.peekLast();
        if (last == null || !last.stream.equals(stream)) {
            last = new Segment(stream, Instant.now());
            pending.addLast(last);
        }
        if (pendingChars == 0) {
            pendingSince = System.nanoTime();
        }
        last.text.append(text);
        pendingChars += text.length();
    }

    private void stop(String reason) {
        if (stopped == null) {
            stopped = reason;
            log.info("command {}: live output stopped ({}) after {} bytes; the result keeps the output", commandId, reason, acceptedBytes);
        }
    }

    /**
     * The process's output has ended (both drains are done): sends what is left and waits a
     * bounded time for it to go out. The caller sends the result next.
     */
    public void finish() {
        synchronized (lock) {
            if (stopped == null && !streamedAny && System.nanoTime() - startedNanos < settings.interval().toNanos()) {
                // Done before its first batch could be due: nobody could follow it live, and the result,
                // sent next, holds all of it. Not streaming it saves the server a write per command. (A
                // quiet command that prints only at its end after running longer is streamed as ever.)
                pending.clear();
                pendingChars = 0;
            } else if (stopped == null) {
                // An incomplete character at the very end becomes U+FFFD, exactly as in the result.
                append(CommandOutput.STDOUT, decode(CommandOutput.STDOUT, new byte[0], 0, 0, true));
                append(CommandOutput.STDERR, decode(CommandOutput.STDERR, new byte[0], 0, 0, true));
            }
            finishing = true;
            lock.notifyAll();
        }
        try {
            if (!thread.join(FINISH_WAIT)) {
                synchronized (lock) {
                    abandoned = true;
                    pending.clear();
                    lock.notifyAll();
                }
                log.info("command {}: the last live output did not go out within {} s; the result follows", commandId, FINISH_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendLoop() {
        try {
            while (true) {
                List<Segment> batch;
                String announce = null;
                boolean last;
                synchronized (lock) {
                    while (!due()) {
                        long wait = pendingChars == 0 ? 0
                                : Math.max(1, settings.interval().toMillis() - (System.nanoTime() - pendingSince) / 1_000_000);
                        lock.wait(wait);
                    }
                    if (abandoned) {
                        return;
                    }
                    batch = List.copyOf(pending);
                    streamedAny |= !batch.isEmpty() || stopped != null;
                    pending.clear();
                    pendingChars = 0;
                    if (stopped != null && !stopAnnounced) {
                        announce = stopped;
                        stopAnnounced = true;
                    }
                    last = finishing || stopped != null;
                }
                for (Segment segment : batch) {
                    if (!sendSegment(segment)) {
                        return;
                    }
                }
                if (announce != null) {
                    send(new CommandOutput(commandId, ++seq, CommandOutput.STDOUT, stdoutOffset, "", Instant.now(), announce));
                }
                if (last) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Guarded by lock: whether the sender has something to do now. */
    private boolean due() {
        return abandoned || finishing || (stopped != null && !stopAnnounced) || pendingChars >= CommandOutput.MAX_DATA_CHARS
                || (pendingChars > 0 && System.nanoTime() - pendingSince >= settings.interval().toNanos());
    }

    private boolean sendSegment(Segment segment) {
        String text = segment.text.toString();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + CommandOutput.MAX_DATA_CHARS);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end--; // never split a surrogate pair between two messages
            }
            String piece = text.substring(start, end);
            boolean stdout = segment.stream.equals(CommandOutput.STDOUT);
            long offset = stdout ? stdoutOffset : stderrOffset;
            synchronized (lock) {
                if (abandoned) {
                    return false;
                }
            }
            send(new CommandOutput(commandId, ++seq, segment.stream, offset, piece, segment.at, null));
            if (stdout) {
                stdoutOffset += piece.length();
            } else {
                stderrOffset += piece.length();
            }
            start = end;
        }
        return true;
    }

    private void send(CommandOutput message) {
        try {
            sender.test(message);
        } catch (RuntimeException e) {
            log.debug("command {}: live output chunk {} not sent: {}", commandId, message.seq(), e.toString());
        }
    }
}

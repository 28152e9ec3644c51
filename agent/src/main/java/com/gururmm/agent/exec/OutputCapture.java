package com.gururmm.agent.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drains one output stream of a process on a virtual thread, keeping the first
 * {@code limit} bytes and counting the rest. Draining past the limit matters: a process whose
 * pipe fills up blocks forever, which would turn a chatty script into a timeout.
 */
final class OutputCapture {
    private final InputStream stream;
    private final int limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CountDownLatch done = new CountDownLatch(1);
    /** Also told every kept byte, as it is read (live output); null when nothing streams. */
    private final OutputStreamer.Sink live;
    private long discarded;

    private OutputCapture(InputStream stream, int limit, OutputStreamer.Sink live) {
        this.stream = stream;
        this.limit = limit;
        this.live = live;
    }

    static OutputCapture start(InputStream stream, int limit, String name) {
        return start(stream, limit, name, null);
    }

    /** As {@link #start(InputStream, int, String)}, handing what is kept to {@code live} too (exactly the result's bytes). */
    static OutputCapture start(InputStream stream, int limit, String name, OutputStreamer.Sink live) {
        OutputCapture capture = new OutputCapture(stream, limit, live);
        // A platform thread: the read blocks in the kernel until the process writes, and on a virtual
        // thread two such reads (stdout and stderr) could hold both carriers of a 2-core machine, stalling
        // every other virtual thread (the live-output sender among them) until the process exits.
        Thread.ofPlatform().daemon().stackSize(256 * 1024).name(name).start(capture::drain);
        return capture;
    }

    private void drain() {
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = stream.read(buffer)) != -1) {
                int keep;
                synchronized (this) {
                    keep = Math.max(0, Math.min(n, limit - kept.size()));
                    kept.write(buffer, 0, keep);
                    discarded += n - keep;
                }
                if (live != null && keep > 0) {
                    live.accept(buffer, 0, keep);
                }
            }
        } catch (IOException ignored) {
            // stream closed because the process was killed or we stopped waiting
        } finally {
            done.countDown();
        }
    }

    /** Waits for end of stream; false if it did not come (a background child still holds the pipe). */
    boolean await(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    void abandon() {
        try {
            stream.close();
        } catch (IOException ignored) {
            // nothing more to read
        }
    }

    synchronized boolean truncated() {
        return discarded > 0;
    }

    /** The kept bytes as text (invalid UTF-8 replaced), with a marker if anything was discarded. */
    synchronized String text() {
        String text = decode(kept.toByteArray());
        if (discarded > 0) {
            text += "\n[gururmm: output truncated at " + limit + " bytes; " + discarded + " more bytes were discarded]\n";
        }
        return text;
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}

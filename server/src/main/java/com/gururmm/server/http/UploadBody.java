package com.gururmm.server.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * The raw body of a streamed upload (a file to an agent, a release), opened at its first read,
 * and what a refusal does with the part not read.
 *
 * <p>Jetty answers {@code Expect: 100-continue} when the body is first read, so a route that
 * checks (and may refuse) before reading lets a waiting client learn of the refusal before it
 * sends a byte of a large upload.
 *
 * <p>A client that sent no {@code Expect} (a script, curl after its one-second wait, another
 * node's client) is sending the body while the refusal is made. A server that closes the
 * connection on bytes it has not read resets it, and the client, still writing, fails with a
 * broken pipe and never reads the answer ("header parser received no bytes"). So a refusal
 * first reads and discards what is still coming ({@link #discardRest}), as Jetty's maintainers
 * advise, up to a bound: a client that sends more than that, or too slowly, gets the close.
 */
public final class UploadBody extends InputStream {
    /** The most of a refused body read to let the answer through: an upload larger than this gets the close instead. */
    static final long DISCARD_LIMIT = 64L * 1024 * 1024;
    /** How long a refusal reads a refused body at most, so a slow client cannot hold the handler. */
    static final Duration DISCARD_TIME = Duration.ofSeconds(15);

    private final Context ctx;
    private InputStream in;

    public UploadBody(Context ctx) {
        this.ctx = ctx;
    }

    /** Whether the body was read at all (after which the client was told to send it, if it waited). */
    public boolean started() {
        return in != null;
    }

    private InputStream in() throws IOException {
        if (in == null) {
            in = ctx.req().getInputStream();
        }
        return in;
    }

    @Override
    public int read() throws IOException {
        return in().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in().read(b, off, len);
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
        }
    }

    /**
     * Before the answer to a refusal (or to a relayed upload, whatever its outcome): reads and
     * discards the rest of this body unless the client is waiting for a go-ahead it never got, and
     * marks the answer {@code Connection: close} unless the whole body was read (the connection
     * then carries the client's next request as usual).
     */
    public void discardUnread() {
        if (!discardRest(ctx, started())) {
            ctx.header("Connection", "close");
        }
    }

    /**
     * Reads and discards what is left of {@code ctx}'s request body, within {@link #DISCARD_LIMIT}
     * and {@link #DISCARD_TIME}.
     *
     * @param started whether the body was read before (so a client sending {@code Expect:
     *                100-continue} was told to go on and is sending)
     * @return whether the body was read to its end; false when the client waits for a go-ahead
     *         (reading would give it one), sends more than the bound, or its connection failed
     */
    private static boolean discardRest(Context ctx, boolean started) {
        String expect = ctx.header("Expect");
        if (!started && expect != null && expect.trim().equalsIgnoreCase("100-continue")) {
            return false;
        }
        long deadline = System.nanoTime() + DISCARD_TIME.toNanos();
        long left = DISCARD_LIMIT;
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream rest = ctx.req().getInputStream();
            while (left > 0 && System.nanoTime() < deadline) {
                int n = rest.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    return true;
                }
                left -= n;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // the client's connection broke: there is no one to answer
        }
    }
}

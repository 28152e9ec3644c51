package com.gururmm.agent.platform.windows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the read end of a native pipe into an {@link InputStream}. A blocking {@code ReadFile}
 * through JNA would pin the carrier of the virtual thread that drains the output, so a
 * platform thread does the native reads and forwards the bytes over an in-JVM pipe, which the
 * runner's virtual threads can block on freely. The native handle is closed at end-of-file.
 *
 * <p>Two steps so a caller can create every pump (which may fail) before any thread takes
 * ownership of a native handle.
 */
final class HandlePump {
    private static final Logger log = LoggerFactory.getLogger(HandlePump.class);

    private final Win32 win32;
    private final Win32.Handle read;
    private final Pipe pipe;
    private final InputStream stream;

    HandlePump(Win32 win32, Win32.Handle read) throws IOException {
        this.win32 = win32;
        this.read = read;
        this.pipe = Pipe.open();
        this.stream = Channels.newInputStream(pipe.source());
    }

    InputStream stream() {
        return stream;
    }

    /** From here on the pump owns the native handle and closes it; {@code finished} runs after that. */
    void start(String name, Runnable finished) {
        Thread.ofPlatform().daemon().name(name).start(() -> pump(finished));
    }

    private void pump(Runnable finished) {
        byte[] buffer = new byte[8192];
        try (Pipe.SinkChannel sink = pipe.sink()) {
            int n;
            while ((n = win32.read(read, buffer)) >= 0) {
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    sink.write(bytes);
                }
            }
        } catch (Win32Exception e) {
            log.warn("reading a user_session process's output stopped: {}", e.getMessage());
        } catch (IOException e) {
            // the reader closed its end: nobody wants the rest
        } finally {
            win32.close(read);
            finished.run();
        }
    }
}

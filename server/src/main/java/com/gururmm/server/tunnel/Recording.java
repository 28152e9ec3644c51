package com.gururmm.server.tunnel;

import com.gururmm.protocol.Json;
import com.gururmm.server.config.DataDirectory;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session transcript in asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON
 * header line, then one {@code [seconds, "o", text]} line per output chunk and
 * {@code [seconds, "r", "COLSxROWS"]} per resize, so standard players replay it. Only output is
 * recorded, never the keystrokes (a password typed at a prompt is not echoed, so it is not in the file).
 *
 * <p>Terminal bytes are UTF-8 decoded as a stream: a character split between two chunks is
 * kept until its last byte arrives, instead of being replaced. The file is created 0600 in the
 * data dir and stops growing at its size limit (a note line says so). Writes happen on the
 * agent socket's thread, which delivers output in order; a failing disk ends the recording, not the session.
 */
final class Recording {
    private static final Logger log = LoggerFactory.getLogger(Recording.class);
    private final Path file;
    private final long startNanos = System.nanoTime();
    private final long maxBytes;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private BufferedWriter out;
    private long written;

    private Recording(Path file, long maxBytes) {
        this.file = file;
        this.maxBytes = maxBytes;
    }

    static Recording start(Path file, int cols, int rows, Instant at, String title, long maxBytes) {
        Recording recording = new Recording(file, maxBytes);
        try {
            Files.createDirectories(file.getParent());
            DataDirectory.makeDirectoryPrivate(file.getParent());
            DataDirectory.createPrivateFile(file);
            recording.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("version", 2);
            header.put("width", cols);
            header.put("height", rows);
            header.put("timestamp", at.getEpochSecond());
            header.put("title", title);
            header.put("env", Map.of("TERM", "xterm-256color"));
            recording.line(Json.mapper().writeValueAsString(header));
        } catch (IOException | RuntimeException e) {
            log.warn("cannot record the tunnel session to {}: {}", file, e.toString());
            recording.out = null;
        }
        return recording;
    }

    Path file() {
        return file;
    }

    synchronized void output(byte[] data) {
        if (out == null) {
            return;
        }
        ByteBuffer in = ByteBuffer.allocate(pending.remaining() + data.length);
        in.put(pending).put(data).flip();
        CharBuffer chars = CharBuffer.allocate(in.remaining() + 1);
        decoder.decode(in, chars, false);
        pending = in.slice();
        chars.flip();
        if (chars.hasRemaining()) {
            event("o", chars.toString());
        }
    }

    synchronized void resize(int cols, int rows) {
        if (out != null) {
            event("r", cols + "x" + rows);
        }
    }

    synchronized void close() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            log.warn("cannot finish the recording {}: {}", file, e.toString());
        }
        out = null;
    }

    private void event(String code, String data) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        try {
            line(Json.mapper().writeValueAsString(List.of(Math.round(seconds * 1e6) / 1e6, code, data)));
        } catch (IOException e) {
            log.warn("recording {} stopped: {}", file, e.toString());
            close();
        }
    }

    private void line(String json) throws IOException {
        if (written + json.length() + 1 > maxBytes) {
            out.write(Json.mapper().writeValueAsString(List.of((System.nanoTime() - startNanos) / 1e9, "m",
                    "recording stopped at its size limit (GURURMM_TUNNEL_RECORDING_MAX_MB)")));
            out.write('\n');
            close();
            return;
        }
        out.write(json);
        out.write('\n');
        out.flush();
        written += json.length() + 1;
    }
}

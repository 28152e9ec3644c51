package com.gururmm.agent.events;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The 50 newest bugcheck (WER-SystemErrorReporting 1001) and unexpected-shutdown (Kernel-Power
 * 41) events of the System log, through {@code wevtutil}, which every Windows since Vista ships:
 *
 * <pre>wevtutil qe System /q:"*[System[(EventID=1001 or EventID=41)]]" /f:xml /rd:true /c:50</pre>
 *
 * The query is passed as one argument; {@link BugcheckParser} then keeps only the two providers.
 * wevtutil's output is decoded as UTF-16 when it starts with a UTF-16 byte order mark, else as
 * UTF-8 (what the bugcheck fields hold is ASCII either way: hex codes, a dump path, ids).
 *
 * <p>Not run here: this project's machines are Linux, so this class is compiled but its call has
 * never run; the parser and reporter are tested on Linux against reconstructed event XML.
 */
public final class WevtutilEventLog implements EventLogSource {
    static final List<String> COMMAND = List.of("wevtutil", "qe", "System", "/q:*[System[(EventID=1001 or EventID=41)]]",
            "/f:xml", "/rd:true", "/c:50");
    private static final long TIMEOUT_SECONDS = 60;
    private static final int MAX_OUTPUT = 4 * 1024 * 1024;

    @Override
    public String queryXml() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(COMMAND).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("NUL")))
                .start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = readBounded(in);
        }
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("wevtutil did not finish within " + TIMEOUT_SECONDS + " s");
        }
        String text = decode(output);
        if (process.exitValue() != 0) {
            throw new IOException("wevtutil exited with " + process.exitValue() + ": " + text.strip());
        }
        return text;
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            if (out.size() + n > MAX_OUTPUT) {
                throw new IOException("wevtutil wrote more than " + MAX_OUTPUT + " bytes for 50 events");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    static String decode(byte[] bytes) {
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xfe) {
            return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE);
        }
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf) {
            return new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

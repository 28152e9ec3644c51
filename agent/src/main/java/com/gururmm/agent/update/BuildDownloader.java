package com.gururmm.agent.update;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.UUID;

/**
 * Fetches a build from {@code /downloads/} with the agent's own credential into a staging file.
 * A {@code .part} file left by an interrupted attempt is resumed with a {@code Range} request;
 * the caller verifies size and hash afterwards, so a bad resume costs one retry, never a bad install.
 */
final class BuildDownloader {
    private final HttpClient http;
    private final URI serverUrl;

    BuildDownloader(HttpClient http, URI serverUrl) {
        this.http = http;
        this.serverUrl = serverUrl;
    }

    /** Downloads {@code path} to {@code target}; at most {@code maxBytes}. */
    void download(String path, Path target, long maxBytes, UUID agentId, String agentToken) throws IOException, InterruptedException, UpdateRefused {
        if (!path.startsWith("/downloads/") || path.contains("..") || path.indexOf('/', "/downloads/".length()) >= 0) {
            throw new UpdateRefused("the server offered a download path outside /downloads/ (" + path + "); refusing it");
        }
        long have = Files.exists(target) ? Files.size(target) : 0;
        if (have >= maxBytes) {
            Files.deleteIfExists(target);
            have = 0;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(serverUrl.resolve(path))
                .timeout(Duration.ofMinutes(10))
                .header("Authorization", "Bearer " + agentToken)
                .header("X-GuruRMM-Agent-Id", agentId.toString());
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        boolean append = response.statusCode() == 206;
        if (response.statusCode() != 200 && !append) {
            response.body().close();
            throw new IOException("the server answered HTTP " + response.statusCode() + " for " + path);
        }
        long written = append ? have : 0;
        try (InputStream in = response.body();
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                written += n;
                if (written > maxBytes) {
                    throw new UpdateRefused("the download of " + path + " is larger than the offered " + maxBytes + " bytes; refusing it");
                }
                out.write(buffer, 0, n);
            }
        }
    }
}

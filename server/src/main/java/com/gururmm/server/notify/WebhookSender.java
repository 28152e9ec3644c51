package com.gururmm.server.notify;

import com.gururmm.server.config.NotificationSettings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs a rendered notice to a webhook. Bounded on every side so a receiver cannot hold a
 * sender: the connect has its own limit, the whole exchange (headers and body) must finish
 * within the read timeout, and at most {@link #MAX_REPLY} bytes of the answer are kept.
 * Redirects are not followed (a signed body is for the URL the admin configured).
 */
final class WebhookSender {
    static final int MAX_REPLY = 1000;

    private final HttpClient client;
    private final Duration readTimeout;
    private final Clock clock;

    WebhookSender(NotificationSettings settings, Clock clock) {
        this.client = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                // HTTP/1.1: no h2c upgrade dance with receivers that do not expect it.
                .version(HttpClient.Version.HTTP_1_1).build();
        this.readTimeout = settings.readTimeout();
        this.clock = clock;
    }

    Outcome send(ChannelSettings settings, String secret, Notice notice, UUID deliveryId) {
        byte[] body = Payloads.render(settings.preset(), notice, deliveryId, clock.instant());
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(URI.create(settings.url()))
                .timeout(readTimeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "GuruRMM-Notifications")
                .header(Signatures.DELIVERY_HEADER, deliveryId.toString())
                .header(Signatures.TIMESTAMP_HEADER, Long.toString(timestamp))
                .header(Signatures.SIGNATURE_HEADER, Signatures.sign(secret, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        CompletableFuture<HttpResponse<String>> future = client.sendAsync(request, info -> new Bounded(MAX_REPLY));
        try {
            // The request timeout covers the wait for headers; this covers a body that trickles.
            HttpResponse<String> response = future.get(readTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            int status = response.statusCode();
            String reply = response.body();
            if (status >= 200 && status < 300) {
                return Outcome.success(status, reply);
            }
            return Outcome.failure(status, reply, "the receiver answered HTTP " + status
                    + (status >= 300 && status < 400 ? " (redirects are not followed; configure the final URL)" : ""));
        } catch (TimeoutException e) {
            future.cancel(true);
            return Outcome.failure(null, null, "no complete answer within the read timeout of " + readTimeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return Outcome.failure(null, null, "interrupted (server shutting down)");
        } catch (ExecutionException e) {
            return Outcome.failure(null, null, reason(e.getCause()));
        }
    }

    private String reason(Throwable cause) {
        if (cause instanceof HttpConnectTimeoutException) {
            return "could not connect within the connect timeout";
        }
        if (cause instanceof HttpTimeoutException) {
            return "no answer within the read timeout of " + readTimeout.toSeconds() + " s";
        }
        if (cause instanceof ConnectException) {
            return "connection refused or unreachable" + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")");
        }
        if (cause instanceof IOException) {
            return "I/O error: " + cause;
        }
        return String.valueOf(cause);
    }

    /** Keeps the first {@code limit} bytes of the body and discards the rest. */
    private static final class Bounded implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        private final CompletableFuture<String> result = new CompletableFuture<>();

        Bounded(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                int room = limit - kept.size();
                int take = Math.min(room, buffer.remaining());
                byte[] bytes = new byte[take];
                buffer.get(bytes);
                kept.write(bytes, 0, take);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(kept.toString(StandardCharsets.UTF_8));
        }
    }
}

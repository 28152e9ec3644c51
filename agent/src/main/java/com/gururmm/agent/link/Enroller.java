package com.gururmm.agent.link;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.api.ApiError;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** {@code POST /api/agent/enroll}: trades an enrollment token for an agent id and credential. */
public final class Enroller {
    private final HttpClient http;
    private final URI serverUrl;

    public Enroller(HttpClient http, URI serverUrl) {
        this.http = http;
        this.serverUrl = serverUrl;
    }

    /** Thrown when the server refuses the enrollment (bad token); retrying the same token will not help. */
    public static final class EnrollmentRefused extends Exception {
        public EnrollmentRefused(String message) {
            super(message);
        }
    }

    public EnrollResponse enroll(EnrollRequest request) throws IOException, InterruptedException, EnrollmentRefused {
        HttpRequest httpRequest = HttpRequest.newBuilder(serverUrl.resolve("/api/agent/enroll"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(request)))
                .build();
        HttpResponse<String> response = http.send(httpRequest, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
            return Json.mapper().readValue(response.body(), EnrollResponse.class);
        }
        String message = response.body();
        try {
            ApiError error = Json.mapper().readValue(response.body(), ApiError.class);
            message = error.message();
        } catch (JsonProcessingException ignored) {
            // keep the raw body
        }
        if (response.statusCode() >= 400 && response.statusCode() < 500) {
            throw new EnrollmentRefused("server refused enrollment (" + response.statusCode() + "): " + message);
        }
        throw new IOException("enrollment failed with HTTP " + response.statusCode() + ": " + message);
    }
}

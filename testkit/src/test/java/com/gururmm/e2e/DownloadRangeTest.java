package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Range} on {@code /downloads} (RFC 9110 section 14): every header value gets an
 * answer, never a 500. Valid single ranges are served (206), ranges that select no byte are
 * 416 with {@code Content-Range: bytes *}{@code /size}, and what the server may ignore
 * (garbage, other units, several ranges) gets the whole file (200). No database is involved.
 */
@Timeout(120)
class DownloadRangeTest {
    private static final String FILE = "gururmm-agent-linux-amd64-1.1.0.jar";
    private static final int SIZE = 1000;
    private static final byte[] BUILD = new byte[SIZE];
    private static TestServer server;
    private static GuruClient admin;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void publish() {
        new Random(11).nextBytes(BUILD);
        server = TestServer.start(TestDatabase.Kind.H2);
        admin = server.adminClient();
        admin.publishRelease(FILE, BUILD, null);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<byte[]> get(String range) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.url() + "/downloads/" + FILE))
                .header("Authorization", "Bearer " + admin.token()).header("Range", range).timeout(Duration.ofSeconds(30)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void partial(String range, int from, int to) throws Exception {
        HttpResponse<byte[]> response = get(range);
        assertThat(response.statusCode()).as(range).isEqualTo(206);
        assertThat(response.headers().firstValue("Content-Range")).as(range).hasValue("bytes " + from + "-" + to + "/" + SIZE);
        assertThat(response.headers().firstValueAsLong("Content-Length")).as(range).hasValue(to - from + 1);
        assertThat(response.body()).as(range).isEqualTo(Arrays.copyOfRange(BUILD, from, to + 1));
    }

    @Test
    void validRangesAreServed() throws Exception {
        partial("bytes=10-19", 10, 19);
        partial("bytes=990-", 990, 999);
        partial("bytes=-10", 990, 999);
        partial("bytes=0-0", 0, 0);
        partial("bytes=999-999", 999, 999);
        partial("bytes=500-5000", 500, 999);
        partial("BYTES=10-19", 10, 19);
        partial(" bytes=10-19 ", 10, 19);
        partial("bytes=10-19,", 10, 19);
    }

    @Test
    void numbersBeyondALongAreJustLarge() throws Exception {
        partial("bytes=0-99999999999999999999", 0, SIZE - 1);
        partial("bytes=-99999999999999999999", 0, SIZE - 1);
        partial("bytes=-" + "9".repeat(500), 0, SIZE - 1);
        unsatisfiable("bytes=99999999999999999999-");
        unsatisfiable("bytes=99999999999999999999-99999999999999999999");
        unsatisfiable("bytes=9223372036854775807-");
        unsatisfiable("bytes=9223372036854775808-");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=1000-", "bytes=5000-6000", "bytes=20-10", "bytes=-0", "bytes=1000-1000"})
    void rangesThatSelectNoByteAre416(String range) throws Exception {
        unsatisfiable(range);
    }

    private static void unsatisfiable(String range) throws Exception {
        HttpResponse<byte[]> response = get(range);
        assertThat(response.statusCode()).as(range).isEqualTo(416);
        assertThat(response.headers().firstValue("Content-Range")).as(range).hasValue("bytes */" + SIZE);
        JsonNode error = Json.mapper().readTree(response.body());
        assertThat(error.get("error").asText()).isEqualTo("range_not_satisfiable");
        assertThat(error.get("message").asText()).contains(FILE, SIZE + " bytes");
    }

    /** RFC 9110 section 14.2: a server may ignore Range; garbage, other units and multipart requests get the whole file. */
    @ParameterizedTest
    @ValueSource(strings = {"bytes=abc", "bytes=-5-10", "bytes=--5", "bytes=-", "bytes=", "bytes=1-2-3", "bytes=0x10-", "bytes=+5-",
            "bytes=0-1,5-6", "bytes=0-1, 990-", "items=0-5", "0-5", "bytes 0-5", "bytes=10-19;x"})
    void rangesToIgnoreGetTheWholeFile(String range) throws Exception {
        HttpResponse<byte[]> response = get(range);
        assertThat(response.statusCode()).as(range).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Range")).as(range).isEmpty();
        assertThat(response.body()).as(range).isEqualTo(BUILD);
    }
}

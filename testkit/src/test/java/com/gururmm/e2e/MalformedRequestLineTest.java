package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests Jetty refuses before any route runs (found by {@link MalformedInputPropertyTest}) get
 * the SPEC's JSON error too, whatever the method: they used to get Jetty's HTML page, or for
 * DELETE, PATCH and PUT an empty body.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MalformedRequestLineTest {
    private static TestServer server;
    private static String token;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestDatabase.Kind.H2);
        token = server.adminClient().token();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertJsonError(RawHttp.Response response, int status) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.contentType()).as(response.text()).startsWith("application/json");
        assertThat(MalformedInputPropertyTest.problem(response)).as(response.text()).isNull();
    }

    @Test
    void badPathsAreJsonErrorsForEveryMethod() throws Exception {
        RawHttp http = new RawHttp(server.port());
        for (String method : new String[] {"GET", "DELETE", "PATCH", "POST"}) {
            assertJsonError(http.send(method, "/api/scripts/%ff", token, null, null), 400);
            assertJsonError(http.send(method, "/api/scripts/..;", token, null, null), 400);
            assertJsonError(http.send(method, "/api/scripts/a%00b", token, null, null), 400);
        }
        assertThat(http.send("DELETE", "/api/scripts/%c0%af", token, null, null).text()).contains("UTF-8");
    }

    @Test
    void oversizeRequestLinesAndHeadersAreJsonErrors() throws Exception {
        RawHttp http = new RawHttp(server.port());
        assertJsonError(http.send("GET", "/api/agents?q=" + "x".repeat(20_000), token, null, null), 414);
    }
}

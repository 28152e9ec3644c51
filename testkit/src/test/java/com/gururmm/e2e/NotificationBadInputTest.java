package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Notifications.ChannelRequest;
import com.gururmm.protocol.api.Notifications.ChannelView;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every malformed channel or rule is a 400 naming the field, and nothing is stored. */
class NotificationBadInputTest {
    private static TestServer server;
    private static GuruClient admin;
    private static ChannelView existing;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestDatabase.Kind.H2);
        admin = server.adminClient();
        existing = admin.createNotificationChannel(ChannelRequest.webhook("existing", null, "https://hooks.example.test/x"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ftp URL            | {"name":"a","type":"webhook","url":"ftp://example.test/x"}                         | url
            javascript URL     | {"name":"a","type":"webhook","url":"javascript:alert(1)"}                          | url
            file URL           | {"name":"a","type":"webhook","url":"file:///etc/passwd"}                           | url
            URL without host   | {"name":"a","type":"webhook","url":"http:///x"}                                    | url
            URL with password  | {"name":"a","type":"webhook","url":"https://u:p@example.test/x"}                   | url
            missing URL        | {"name":"a","type":"webhook"}                                                      | url
            unknown preset     | {"name":"a","type":"webhook","preset":"mattermost","url":"https://example.test"}   | preset
            missing name       | {"type":"webhook","url":"https://example.test"}                                    | name
            missing type       | {"name":"a","url":"https://example.test"}                                          | type
            unknown type       | {"name":"a","type":"pager","url":"https://example.test"}                           | type
            email fields       | {"name":"a","type":"webhook","url":"https://example.test","smtp_host":"x"}         | smtp_
            no recipients      | {"name":"a","type":"email","smtp_host":"mail","smtp_port":25,"email_from":"a@b.test"} | email_to
            bad recipient      | {"name":"a","type":"email","smtp_host":"mail","smtp_port":25,"email_from":"a@b.test","email_to":["not an address"]} | email_to
            bad port           | {"name":"a","type":"email","smtp_host":"mail","smtp_port":70000,"email_from":"a@b.test","email_to":["c@d.test"]} | smtp_port
            bad tls mode       | {"name":"a","type":"email","smtp_host":"mail","smtp_port":25,"smtp_tls":"maybe","email_from":"a@b.test","email_to":["c@d.test"]} | smtp_tls
            user no password   | {"name":"a","type":"email","smtp_host":"mail","smtp_port":25,"smtp_username":"u","email_from":"a@b.test","email_to":["c@d.test"]} | smtp_password
            host with spaces   | {"name":"a","type":"email","smtp_host":"mail host; rm","smtp_port":25,"email_from":"a@b.test","email_to":["c@d.test"]} | smtp_host
            NUL in name        | {"name":"a\\u0000b","type":"webhook","url":"https://example.test"}                 | name
            concurrency 0      | {"name":"a","type":"webhook","url":"https://example.test","max_concurrency":0}     | max_concurrency
            wrong JSON type    | {"name":["a"],"type":"webhook","url":"https://example.test"}                       | name
            """)
    void aBadChannelIsRefusedAndNothingStored(String what, String body, String field) {
        GuruClient.RawResponse response = admin.raw("POST", "/api/notification-channels", body, Map.of("Content-Type", "application/json"));
        assertThat(response.status()).as(what + ": " + response.body()).isEqualTo(400);
        assertThat(response.body()).contains(field);
        assertThat(admin.notificationChannels()).extracting(ChannelView::name).containsExactly("existing");
    }

    @Test
    void anOversizeNameOrBodyIsRefused() {
        String longName = "n".repeat(201);
        GuruClient.RawResponse response = admin.raw("POST", "/api/notification-channels",
                "{\"name\":\"" + longName + "\",\"type\":\"webhook\",\"url\":\"https://example.test\"}", Map.of());
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("name");
        GuruClient.RawResponse huge = admin.raw("POST", "/api/notification-channels",
                "{\"name\":\"a\",\"type\":\"webhook\",\"url\":\"https://example.test/" + "x".repeat(5 * 1024 * 1024) + "\"}", Map.of());
        assertThat(huge.status()).isIn(400, 413);
        assertThat(admin.notificationChannels()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown channel  | {"name":"r","channel_ids":["00000000-0000-0000-0000-000000000001"]}  | channel_ids
            no channels      | {"name":"r","channel_ids":[]}                                        | channel_ids
            bad severity     | {"name":"r","min_severity":"urgent","channel_ids":["CH"]}            | min_severity
            bad transition   | {"name":"r","transitions":["closed"],"channel_ids":["CH"]}           | transitions
            half a digest    | {"name":"r","digest_threshold":5,"channel_ids":["CH"]}               | digest
            tiny window      | {"name":"r","digest_threshold":5,"digest_window_seconds":1,"channel_ids":["CH"]} | digest_window_seconds
            missing name     | {"channel_ids":["CH"]}                                               | name
            """)
    void aBadRuleIsRefusedAndNothingStored(String what, String body, String field) {
        GuruClient.RawResponse response = admin.raw("POST", "/api/notification-rules", body.replace("CH", existing.id().toString()),
                Map.of());
        assertThat(response.status()).as(what + ": " + response.body()).isEqualTo(400);
        assertThat(response.body()).contains(field);
        assertThat(admin.notificationRules()).isEmpty();
    }

    @Test
    void badDeliveryFiltersAndUnknownIdsAreClearErrors() {
        assertThat(admin.raw("GET", "/api/notification-deliveries?status=lost", null, Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("GET", "/api/notification-deliveries?channel=abc", null, Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("GET", "/api/notification-deliveries?limit=0", null, Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("POST", "/api/notification-channels/" + UUID.randomUUID() + "/test", null, Map.of()).status()).isEqualTo(404);
        assertThat(admin.raw("PATCH", "/api/notification-channels/" + existing.id(), "{\"type\":\"email\"}", Map.of()).status())
                .isEqualTo(400);
        assertThat(admin.raw("PATCH", "/api/notification-channels/" + existing.id(), "{\"url\":\"gopher://x\"}", Map.of()).status())
                .isEqualTo(400);
        assertThat(admin.notificationChannels().get(0).url()).isEqualTo("https://hooks.example.test/x");
    }
}

package com.gururmm.protocol.text;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLineEncoderTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("com.gururmm.test");

    private String encode(String message, Object[] args, Map<String, String> mdc, Throwable error) {
        LoggingEvent event = new LoggingEvent("fqcn", logger, Level.WARN, message, error, args);
        event.setMDCPropertyMap(mdc);
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void hostileTextStaysOneLineAndParsesBackToTheOriginal() throws Exception {
        String hostile = "host\r\nFAKE 2026 INFO forged\u001b]0;title\u0007 \u202egnp.exe\u0085 \u2028 \"quoted\" back\\slash \u00e9\uD83D\uDE00";
        String line = encode("agent {} said {}", new Object[] {"a1", hostile}, Map.of("agent_id", "a1\nx"), null);
        assertThat(line).endsWith("}\n");
        String body = line.substring(0, line.length() - 1);
        assertThat(body).doesNotContain("\n", "\r", "\u001b", "\u0007", "\u202e", "\u0085", "\u2028");
        JsonNode node = Json.mapper().readTree(body);
        assertThat(node.get("message").asText()).isEqualTo("agent a1 said " + hostile);
        assertThat(node.get("agent_id").asText()).isEqualTo("a1\nx");
        assertThat(node.get("level").asText()).isEqualTo("WARN");
        assertThat(node.get("logger").asText()).isEqualTo("com.gururmm.test");
        // Printable non-ASCII stays readable (UTF-8), not escaped.
        assertThat(body).contains("\u00e9\uD83D\uDE00");
    }

    @Test
    void loneSurrogatesAreEscapedNotWrittenAsBrokenUtf8() throws Exception {
        String line = encode("half \uD83D and \uDE00", null, Map.of(), null);
        assertThat(line).contains("\\ud83d").contains("\\ude00");
        assertThat(Json.mapper().readTree(line).get("message").asText()).isEqualTo("half \uD83D and \uDE00");
    }

    @Test
    void exceptionIsOneFieldAndMdcCannotOverrideTheCoreFields() throws Exception {
        String line = encode("failed", null, Map.of("message", "spoofed", "command_id", "c-1"), new IllegalStateException("bad\nthing"));
        assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
        JsonNode node = Json.mapper().readTree(line);
        assertThat(node.get("message").asText()).isEqualTo("failed");
        assertThat(node.get("command_id").asText()).isEqualTo("c-1");
        assertThat(node.get("exception").asText()).contains("IllegalStateException: bad\nthing").contains("JsonLineEncoderTest");
    }
}

package com.gururmm.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's own logback.xml, loaded as the agent loads it, encodes a message that carries
 * a hostile hostname as one line with the control characters escaped.
 */
class LogEscapingTest {
    private static final String HOSTILE = "web01\n2026-01-01T00:00:00.000Z INFO  [main] AuthService - admin logged in\u001b]0;pwned\u0007\u202e";
    private OutputStreamAppender<ILoggingEvent> appender;
    private Logger logger;

    @BeforeEach
    void configureFromTheShippedFile() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogEscapingTest.class.getResource("/logback.xml"));
        logger = context.getLogger("com.gururmm.agent.link.ServerLink");
        appender = (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("plain");
        assertThat(appender).as("the plain appender of agent/src/main/resources/logback.xml").isNotNull();
    }

    private String encode(String format, Throwable thrown, Object... args) {
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, format, thrown, args);
        return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void aMessageWithLineBreaksAndEscapesIsOneEscapedLine() {
        String line = encode("agent {} enrolled", null, HOSTILE);
        assertThat(line).endsWith("\n");
        assertThat(line.lines()).hasSize(1);
        assertThat(line).contains("agent web01\\n2026-01-01T00:00:00.000Z INFO  [main] AuthService - admin logged in\\x1b]0;pwned\\x07\\u202e enrolled")
                .doesNotContain("\u001b", "\u0007", "\u202e");
    }

    @Test
    void exceptionMessagesAreEscapedAndFramesStayOneALine() {
        Exception thrown = new IllegalStateException("bad hostname " + HOSTILE, new IllegalArgumentException("cause\r\nFORGED-CAUSE"));
        thrown.addSuppressed(new RuntimeException("suppressed\nFORGED-SUPPRESSED"));
        String logged = encode("enrolment failed", thrown);
        List<String> lines = logged.lines().toList();
        assertThat(lines.getFirst()).endsWith(" - enrolment failed");
        assertThat(lines.get(1)).isEqualTo("java.lang.IllegalStateException: bad hostname "
                + "web01\\n2026-01-01T00:00:00.000Z INFO  [main] AuthService - admin logged in\\x1b]0;pwned\\x07\\u202e");
        assertThat(lines).anyMatch(l -> l.startsWith("\tat com.gururmm.agent.logging.LogEscapingTest"));
        assertThat(lines).anyMatch(l -> l.contains("Caused by: java.lang.IllegalArgumentException: cause\\r\\nFORGED-CAUSE"));
        assertThat(lines).anyMatch(l -> l.contains("Suppressed: java.lang.RuntimeException: suppressed\\nFORGED-SUPPRESSED"));
        assertThat(lines).allMatch(l -> l.startsWith("\t") || l.startsWith("java.") || l.startsWith("Caused by: ") || l == lines.getFirst(),
                "every line is the event, an exception header or a frame: no forged line");
        assertThat(logged).doesNotContain("\u001b", "\u0007", "\u202e", "\r");
    }

    /** GURURMM_LOG_FORMAT=json: the shipped file's json appender writes the same hostile text as one JSON line that parses back. */
    @Test
    @SuppressWarnings("unchecked")
    void theJsonAppenderWritesOneParseableLine() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogEscapingTest.class.getResource("/logback.xml"));
        OutputStreamAppender<ILoggingEvent> json =
                (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("json");
        assertThat(json).as("the json appender of logback.xml").isNotNull();
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "host {}", null, new Object[] {HOSTILE});
        String line = new String(json.getEncoder().encode(event), StandardCharsets.UTF_8);
        assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
        assertThat(line).doesNotContain("\u001b", "\u0007", "\u202e");
        assertThat(com.gururmm.protocol.Json.mapper().readTree(line).get("message").asText()).isEqualTo("host " + HOSTILE);
    }
}

package com.gururmm.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Commands.CommandRequest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The words of a 400 for a body Jackson cannot read (found by MalformedInputPropertyTest): they
 * name the field and the JSON expected, never a Java type or a parser class.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ErrorMapperTest {
    private static String messageFor(String body) {
        try {
            Json.mapper().readValue(body, CommandRequest.class);
        } catch (JsonProcessingException e) {
            return ErrorMapper.describeJsonProblem(e);
        }
        throw new AssertionError("read without error: " + body);
    }

    @Test
    void aFieldOfTheWrongShapeIsNamedWithTheJsonExpected() {
        assertThat(messageFor("{\"command_type\":\"sh\",\"command\":[]}"))
                .isEqualTo("Field 'command' has the wrong type: expected a string, got an array.")
                .doesNotContain("java.").doesNotContain("`");
        assertThat(messageFor("{\"command_type\":\"sh\",\"command\":\"x\",\"timeout_seconds\":{}}"))
                .startsWith("Field 'timeout_seconds' has the wrong type: expected a whole number");
    }

    @Test
    void aBodyThatIsNotAnObjectSaysSoWithoutNamingTheRecord() {
        assertThat(messageFor("42")).isEqualTo("The request body must be a JSON object, not a number.");
        assertThat(messageFor("false")).doesNotContain("com.gururmm").doesNotContain("Cannot construct");
    }

    @Test
    void tooDeepNestingIsExplainedWithoutParserInternals() {
        String deep = "{\"unknown\":" + "[".repeat(2_000) + "]".repeat(2_000) + "}";
        assertThat(messageFor(deep)).contains("too deeply nested").doesNotContain("StreamReadConstraints").doesNotContain("`");
    }

    @Test
    void syntaxErrorsStayDescribed() {
        assertThat(messageFor("{\"command\":")).startsWith("The request body is not valid JSON: ");
    }
}

package com.gururmm.protocol.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.wire.ProtocolException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every tunnel control message has a golden file {@code golden/tunnel/<type>.json}: browsers and
 * CLIs of other versions speak this, so a renamed field must show up as a failed test
 * (regenerate with {@code -Dgururmm.golden.write=true}, review, commit).
 */
class TunnelControlGoldenTest {
    private static final ObjectMapper MAPPER = Json.mapper();
    private static final Map<Class<?>, TunnelControl> SAMPLES = new LinkedHashMap<>();

    static {
        for (TunnelControl c : List.of(
                new TunnelControl.Attach(20480L),
                new TunnelControl.Attached("6f1c2b9e-2d4f-4c1a-9a57-0d3e8b7c1a22", 16384L, 20480L, 17L, 120, 40),
                new TunnelControl.Resize(120, 40),
                new TunnelControl.Ack(16384L),
                new TunnelControl.Ready(4242L, "/dev/pts/3"),
                new TunnelControl.Exit(3, "the shell exited"),
                new TunnelControl.Close("closed by the user"),
                new TunnelControl.Error("bad_size", "cols must be between 1 and 1000; got 0."))) {
            SAMPLES.put(c.getClass(), c);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyControlMessageMatchesItsGoldenFile() {
        Map<Class<?>, String> names = new LinkedHashMap<>();
        for (JsonSubTypes.Type t : TunnelControl.class.getAnnotation(JsonSubTypes.class).value()) {
            names.put(t.value(), t.name());
        }
        assertThat(names.keySet()).containsExactlyInAnyOrder(TunnelControl.class.getPermittedSubclasses());
        return Arrays.stream(TunnelControl.class.getPermittedSubclasses()).map(type -> DynamicTest.dynamicTest(type.getSimpleName(), () -> {
            TunnelControl sample = SAMPLES.get(type);
            assertThat(sample).as("a sample of " + type.getSimpleName()).isNotNull();
            String name = names.get(type);
            String encoded = TunnelControl.encode(sample);
            if (Boolean.getBoolean("gururmm.golden.write")) {
                Path file = Path.of("src", "test", "resources", "golden", "tunnel", name + ".json");
                Files.createDirectories(file.getParent());
                Files.writeString(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(MAPPER.readTree(encoded)) + "\n");
            }
            String golden;
            try (InputStream in = getClass().getResourceAsStream("/golden/tunnel/" + name + ".json")) {
                assertThat(in).as("golden/tunnel/" + name + ".json").isNotNull();
                golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(MAPPER.readTree(encoded)).isEqualTo(MAPPER.readTree(golden));
            assertThat(TunnelControl.decode(golden)).isEqualTo(sample);
        }));
    }

    @Test
    void malformedAndOversizeFramesAreRefused() {
        for (String bad : List.of("", "null", "[1]", "{}", "{\"type\":\"nope\"}", "{\"type\":\"resize\",\"cols\":\"wide\",\"rows\":1}",
                "{\"type\":\"attach\",\"last_seq\":1} trailing", "x".repeat(TunnelControl.MAX_TEXT_FRAME + 1))) {
            assertThrows(ProtocolException.class, () -> TunnelControl.decode(bad), bad);
        }
    }

    @Test
    void sizesOutsideOneToAThousandAreNamed() {
        assertThat(TunnelControl.sizeProblem(80, 24)).isNull();
        assertThat(TunnelControl.sizeProblem(0, 0)).contains("cols");
        assertThat(TunnelControl.sizeProblem(100000, 24)).contains("cols").contains("100000");
        assertThat(TunnelControl.sizeProblem(80, 1001)).contains("rows");
    }
}

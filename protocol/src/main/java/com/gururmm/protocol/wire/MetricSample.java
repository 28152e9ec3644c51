package com.gururmm.protocol.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * One metrics sample: when it was taken and its values, keyed by
 * {@link com.gururmm.protocol.metrics.MetricName} ({@code cpu.percent}, {@code disk.percent:/}, ...).
 * A metric the agent could not read is absent, not zero. An entry whose value is not a number
 * (a newer agent's richer value, garbage) is dropped when decoding, so it costs that entry, never
 * the frame; the strings {@code NaN} and {@code Infinity} decode as such, for the receiver to
 * refuse with a reason.
 */
public record MetricSample(Instant at, @JsonDeserialize(using = MetricSample.NumericValues.class) Map<String, Double> values) {
    /** Samples in one {@link AgentMessage.MetricsReport}; a bigger backlog goes out in several batches. */
    public static final int MAX_PER_BATCH = 120;
    /** Values in one sample (14 fixed metrics plus three per mount, for up to ~60 mounts). */
    public static final int MAX_VALUES = 200;

    /** A JSON object of numbers; other entries are skipped. Insertion order is kept. */
    public static final class NumericValues extends JsonDeserializer<Map<String, Double>> {
        @Override
        public Map<String, Double> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return (Map<String, Double>) ctxt.handleUnexpectedToken(Map.class, p);
            }
            Map<String, Double> out = new java.util.LinkedHashMap<>();
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
                    out.put(name, p.getDoubleValue());
                } else if (value == JsonToken.VALUE_STRING) {
                    switch (p.getText()) {
                        case "NaN" -> out.put(name, Double.NaN);
                        case "Infinity", "+Infinity" -> out.put(name, Double.POSITIVE_INFINITY);
                        case "-Infinity" -> out.put(name, Double.NEGATIVE_INFINITY);
                        default -> {
                            // not a number: skipped
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            return out;
        }
    }
}

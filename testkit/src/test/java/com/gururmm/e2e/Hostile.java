package com.gururmm.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.gururmm.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Generators of hostile input for the property tests ({@link MalformedInputPropertyTest},
 * {@link HostileAgentFramePropertyTest}): each draws from a seeded {@link Random}, so a run is
 * reproduced by its seed. A JSON value is damaged where it matters: one node anywhere in a valid
 * sample (a field, an array element, a nested object) is replaced by a hostile value written as
 * raw text, so values no JSON library would produce (raw control characters, {@code NaN},
 * {@code 1e400}, duplicate keys, invalid UTF-8 bytes) are sent too.
 *
 * <p>Tries and seed: {@code -Dgururmm.fuzz.tries=N} (a multiplier per route or frame kind, default
 * {@link #DEFAULT_TRIES}) and {@code -Dgururmm.fuzz.seed=S} (default: random, printed).
 */
final class Hostile {
    static final int DEFAULT_TRIES = 2;
    private static final String MARK = "@@hostile@@";
    private static final String DUP = "@@duplicate@@";

    /** Hostile input, as bytes, and what it is (for a failure report). */
    record Input(byte[] bytes, String what) {
        String preview() {
            String text = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8);
            return com.gururmm.protocol.text.ControlChars.escape(text) + (bytes.length > 300 ? "... (" + bytes.length + " bytes)" : "");
        }
    }

    final Random random;

    Hostile(long seed) {
        this.random = new Random(seed);
    }

    static int tries() {
        return Integer.getInteger("gururmm.fuzz.tries", DEFAULT_TRIES);
    }

    static long seed() {
        Long fixed = Long.getLong("gururmm.fuzz.seed");
        return fixed != null ? fixed : new Random().nextLong();
    }

    <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    @SafeVarargs
    final <T> T pick(T... items) {
        return items[random.nextInt(items.length)];
    }

    // ---------------------------------------------------------------- JSON values and bodies

    /** A hostile JSON value as raw text (some of them are not valid JSON on purpose). */
    String value() {
        return switch (random.nextInt(12)) {
            case 0 -> pick("null", "true", "false", "0", "-1", "1.5", "-0", "[]", "{}", "[null]", "{\"a\":{}}", "\"\"", "\" \"");
            case 1 -> pick("1e400", "-1e400", "123456789012345678901234567890", "9223372036854775808", "-9223372036854775809",
                    "2147483648", "-2147483649", "1.7976931348623157e309", "4.9e-325", "0.0000000000000000000000001", "1E+2147483647");
            case 2 -> pick("NaN", "Infinity", "-Infinity", "undefined", "0x10", "01", "+1", ".5", "1.", "tru", "nul");
            case 3 -> "\"" + "x".repeat(pick(300, 5_000, 70_000)) + "\"";
            case 4 -> pick("\"\\u0000\"", "\"a\\u0000b\"", "\"\\u001b[31mred\\u001b[0m\"", "\"\\u202eevil\"", "\"line\\nbreak\\r\\n\"",
                    "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\uffff\"", "\"\\u0007\\u0008\\u007f\\u0085\"", "\"tab\\there\"");
            case 5 -> pick("\"raw\u0001control\"", "\"raw\u0000nul\"", "\"raw\nnewline\"", "\"raw\ttab\"", "\"\u001b]0;title\u0007\"");
            case 6 -> pick("\"../../etc/passwd\"", "\"..\\\\..\\\\windows\"", "\"%00\"", "\"'; DROP TABLE users; --\"", "\"<script>x</script>\"",
                    "\"${jndi:ldap://x/a}\"", "\"%s%s%n\"", "\"*\"", "\"%\"", "\"_\"", "\"\\\\\"");
            case 7 -> pick("\"00000000-0000-0000-0000-000000000000\"", "\"not-a-uuid\"", "\"ffffffff-ffff-ffff-ffff-fffffffffffff\"",
                    "\"9999-99-99T99:99:99Z\"", "\"-1000000000-01-01T00:00:00Z\"", "\"+1000000000-12-31T23:59:59Z\"",
                    "\"1970-01-01T00:00:00Z\"", "\"P99999999D\"", "\"-1s\"", "\"99999999999h\"");
            case 8 -> deep(pick(50, 600, 3_000, 20_000));
            case 9 -> "[" + String.join(",", java.util.Collections.nCopies(pick(1_000, 60_000), pick("1", "\"x\"", "null", "{}"))) + "]";
            case 10 -> "{" + String.join(",", java.util.stream.IntStream.range(0, pick(50, 5_000))
                    .mapToObj(i -> "\"f" + i + "\":" + i).toList()) + "}";
            default -> pick("\"\\u0041\"", "\"é\"", "\"\uD83D\uDE00\"", "\"\u0000\"", "\"\\\"\"", "\"\\x41\"", "\"\\u12\"", "'single'");
        };
    }

    /** {@code depth} nested arrays or objects. */
    String deep(int depth) {
        boolean arrays = random.nextBoolean();
        return arrays ? "[".repeat(depth) + "]".repeat(depth) : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    /**
     * A hostile body derived from {@code sample} (a JSON text, or null when the route has no
     * sample: then {@code {}} is the start).
     */
    Input body(String sample) {
        JsonNode tree;
        try {
            tree = sample == null ? Json.mapper().createObjectNode() : Json.mapper().readTree(sample);
        } catch (Exception e) {
            tree = null; // not JSON (a script file, a build): mutate its text
        }
        String base = tree == null ? sample : write(tree);
        int kind = random.nextInt(14);
        return switch (kind) {
            case 0 -> text("syntax", pick("{", "}", "[", "{\"a\"", "{\"a\":}", "{\"a\":1,}", "{,}", "{'a':1}", "{a:1}", "/* */{}",
                    "{} {}", "{}garbage", "\"unterminated", "{\"a\":1 // comment\n}", "\uFEFF{}", " ", "\r\n\t", "{\"a\":\"b}",
                    "{\"\\u00\":1}", "{\"a\"::1}", "[1,,2]", "{\"a\":1}}"));
            case 1 -> text("not an object", pick("null", "[]", "\"text\"", "42", "true", "[" + base + "]", "[{}]", "0", "-1e400"));
            case 2 -> text("truncated", base.substring(0, random.nextInt(Math.max(1, base.length()))));
            case 3 -> bytes("byte flip", flip(base.getBytes(StandardCharsets.UTF_8)));
            case 4 -> text("deep nesting", deep(pick(1_000, 5_000, 100_000)));
            case 5 -> text("huge body", "{\"a\":\"" + "x".repeat(pick(4 * 1024 * 1024 + 1, 600_000)) + "\"}");
            case 6 -> tree != null && tree.isContainerNode() ? duplicateKey(tree) : text("not an object", base + base);
            case 7 -> tree != null && tree.isContainerNode() ? unknownFields(tree) : text("empty", "");
            case 8, 9 -> tree != null && tree.isContainerNode() ? replaceNode(tree, false) : text("raw", value());
            case 10 -> tree != null && tree.isContainerNode() ? replaceNode(tree, true) : invalidUtf8(base);
            case 11 -> invalidUtf8(base);
            case 12 -> tree != null && tree.isObject() ? hostileKey(tree) : text("raw", value());
            default -> text("raw value", value());
        };
    }

    private Input text(String what, String body) {
        return new Input(body.getBytes(StandardCharsets.UTF_8), what);
    }

    private Input bytes(String what, byte[] body) {
        return new Input(body, what);
    }

    private byte[] flip(byte[] in) {
        byte[] out = in.clone();
        if (out.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            out[random.nextInt(out.length)] = (byte) (int) pick(0, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0xff, 0xc3, 0x80, random.nextInt(256));
        }
        return out;
    }

    /** Every container location in the tree: a field of an object or an element of an array. */
    private record Slot(JsonNode parent, String field, int index) {
    }

    private List<Slot> slots(JsonNode node, List<Slot> into) {
        if (node.isObject()) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                into.add(new Slot(node, f, -1));
                slots(node.get(f), into);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                into.add(new Slot(node, null, i));
                slots(node.get(i), into);
            }
        }
        return into;
    }

    private static String write(JsonNode tree) {
        try {
            return Json.mapper().writeValueAsString(tree);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One node of the sample replaced by a hostile value (or one invented field, for an empty object). */
    private Input replaceNode(JsonNode original, boolean wrongType) {
        JsonNode tree = original.deepCopy();
        List<Slot> slots = slots(tree, new ArrayList<>());
        String name;
        if (slots.isEmpty()) {
            name = pick("name", "id", "agent_id", "site_id", "email", "password", "command", "role", "enabled", "limit", "channel");
            ((ObjectNode) tree).set(name, TextNode.valueOf(MARK));
        } else {
            Slot slot = pick(slots);
            name = slot.field() != null ? slot.field() : "[" + slot.index() + "]";
            if (slot.field() != null) {
                ((ObjectNode) slot.parent()).set(slot.field(), TextNode.valueOf(MARK));
            } else {
                ((ArrayNode) slot.parent()).set(slot.index(), TextNode.valueOf(MARK));
            }
        }
        String raw = wrongType ? pick("[]", "{}", "true", "0", "\"\"", "null", "[\"" + MARK.length() + "\"]", "1.5", "\"1\"") : value();
        return new Input(write(tree).replace("\"" + MARK + "\"", raw).getBytes(StandardCharsets.UTF_8),
                (wrongType ? "wrong type" : "hostile value") + " at '" + name + "'");
    }

    private Input duplicateKey(JsonNode original) {
        JsonNode tree = original.deepCopy();
        List<Slot> fields = slots(tree, new ArrayList<>()).stream().filter(s -> s.field() != null).toList();
        if (fields.isEmpty()) {
            return text("duplicate key", "{\"a\":1,\"a\":" + value() + "}");
        }
        Slot slot = pick(fields);
        ObjectNode parent = (ObjectNode) slot.parent();
        String first = write(parent.get(slot.field()));
        parent.put(DUP, MARK);
        String raw = value();
        return new Input(write(tree).replace("\"" + DUP + "\":\"" + MARK + "\"", write(TextNode.valueOf(slot.field())) + ":" + raw)
                .getBytes(StandardCharsets.UTF_8), "duplicate key '" + slot.field() + "' (first " + Hostile.cut(first) + ")");
    }

    private Input unknownFields(JsonNode original) {
        JsonNode tree = original.deepCopy();
        List<ObjectNode> objects = new ArrayList<>();
        if (tree.isObject()) {
            objects.add((ObjectNode) tree);
        }
        for (Slot s : slots(tree, new ArrayList<>())) {
            JsonNode child = s.field() != null ? s.parent().get(s.field()) : s.parent().get(s.index());
            if (child.isObject()) {
                objects.add((ObjectNode) child);
            }
        }
        if (objects.isEmpty()) {
            return text("not an object", "[" + write(tree) + ",1]");
        }
        ObjectNode target = pick(objects);
        String name = pick("__proto__", "constructor", "type", "id", "role", "is_admin", "x".repeat(10_000), "", " ", "\u0000", "a.b", "$where");
        target.put(MARK + "k", MARK);
        return new Input(write(tree).replace("\"" + MARK + "k\":\"" + MARK + "\"", write(TextNode.valueOf(name)) + ":" + value())
                .getBytes(StandardCharsets.UTF_8), "unknown field '" + Hostile.cut(name) + "'");
    }

    private Input hostileKey(JsonNode original) {
        ObjectNode tree = (ObjectNode) original.deepCopy();
        tree.put(MARK + "k", 1);
        String key = pick("\"\\u0000\"", "\"\u0001\"", "\"\\ud800\"", "\"" + "k".repeat(100_000) + "\"", "1", "null", "{}", "\"a\\\"b\"");
        return new Input(write(tree).replace("\"" + MARK + "k\"", key).getBytes(StandardCharsets.UTF_8), "hostile key " + Hostile.cut(key));
    }

    /** Invalid UTF-8 inside a string (or the whole body): overlong forms, lone continuation bytes, truncated sequences, surrogates. */
    private Input invalidUtf8(String base) {
        byte[][] bad = {{(byte) 0xff}, {(byte) 0xc3, 0x28}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xe0, (byte) 0x80, (byte) 0xaf},
                {(byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82}};
        byte[] insert = pick(bad);
        byte[] text = base.getBytes(StandardCharsets.UTF_8);
        int quote = -1;
        for (int i = 0; i < text.length; i++) {
            if (text[i] == '"' && random.nextInt(3) == 0) {
                quote = i;
                break;
            }
        }
        int at = quote >= 0 ? quote + 1 : random.nextInt(text.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(text, 0, at);
        out.writeBytes(insert);
        out.write(text, at, text.length - at);
        return new Input(out.toByteArray(), "invalid UTF-8 " + java.util.HexFormat.of().formatHex(insert) + " at byte " + at);
    }

    // ---------------------------------------------------------------- URLs

    /** A hostile path segment, percent-encoded where HTTP needs it (the request target stays ASCII). */
    String pathSegment() {
        return pick("..", "%2e%2e", ".", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f", "..;", "%00", "a%00b", "%ff", "%c0%af", "%e2%80%ae",
                "%zz", "%", "%2", "%2f", "%5c", ";", "%3b", "~root", "%0d%0aX-Injected:%201", "%1b%5b31m", "%20", "+", "null", "NaN",
                "{id}", "-1", "0", "99999999999999999999999999999", "9223372036854775808", "1e400",
                "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "00000000-0000-0000-0000-00000000000g",
                "00000000-0000-0000-0000-0000000000000", "0-0-0-0-0", "{00000000-0000-0000-0000-000000000000}",
                "x".repeat(pick(300, 3_000, 20_000)), "%41%42", "%u0000", "\\..\\", "*", "'", "%22");
    }

    /** A hostile query string value, percent-encoded. */
    String queryValue() {
        return pick("%00", "a%00", "%ff", "%c3%28", "99999999999999999999", "-1", "0", "-9223372036854775809", "1e309", "NaN", "Infinity",
                "1.5", "..%2f..%2fetc", "x".repeat(pick(300, 5_000)), "%0d%0a", "%1b%5b2J", "", "%", "%zz", "%25", "'%20OR%201=1--",
                "true%00", "2026-13-45", "2026-01-01T00:00:00", "-1000000000-01-01T00:00:00Z", "%e2%80%ae", "*", "%2a%2a", "\\",
                "not-a-uuid", "00000000-0000-0000-0000-000000000000", "a,b,,", ",", "%2c%2c", "[]", "{}", "null", "ALL", "-0", "+5");
    }

    /** {@code n} hostile query parameters, drawn from {@code names} (and a few made-up ones). */
    String query(List<String> names, int n) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String name = random.nextInt(8) == 0 ? pick("%00", "%ff", "", "x".repeat(300), "a[]", "__proto__") : pick(names);
            q.append(q.isEmpty() ? "" : "&").append(name);
            if (random.nextInt(10) != 0) {
                q.append('=').append(queryValue());
            }
        }
        return q.toString();
    }

    static String cut(String text) {
        String escaped = com.gururmm.protocol.text.ControlChars.escape(text);
        return escaped.length() > 60 ? escaped.substring(0, 60) + "..." : escaped;
    }
}

package com.gururmm.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.gururmm.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Pins the exact JSON of every wire message: each subtype of the sealed {@link AgentMessage} and
 * {@link ServerMessage} has a fully populated sample here and a golden file
 * {@code src/test/resources/golden/<type>.json}. A field renamed, removed or re-typed changes the
 * encoding and fails; a new message type fails until it has both (run once with
 * {@code -Dgururmm.golden.write=true} to write the golden file, then review and commit it).
 */
@Timeout(30)
class GoldenMessagesTest {
    private static final ObjectMapper MAPPER = Json.mapper();
    private static final Instant T1 = Instant.parse("2026-03-01T12:00:00.123Z");
    private static final Instant T2 = Instant.parse("2026-03-01T12:00:05Z");
    private static final UUID ID = UUID.fromString("6f1c2b9e-2d4f-4c1a-9a57-0d3e8b7c1a22");
    private static final Inventory INVENTORY = new Inventory("web-01", "linux", "Ubuntu 24.04", "amd64", "1.2.0", "beta",
            "machine-0123", "device-4567", List.of("10.0.0.5", "fe80::1"), List.of("alice"),
            new Inventory.Health(false, List.of("state dir /var/lib/gururmm is read-only"), "ProtectSystem=strict: /usr is read-only"));

    private static final SystemInventory SYSTEM_INVENTORY = new SystemInventory(1, T1,
            new SystemInventory.Hardware("LENOVO", "ThinkPad T14", "PF2ABCDE", "AMD Ryzen 7 PRO 5850U", 8, 16, 17_179_869_184L,
                    "LENOVO", "R1MET63W (1.33 )", "2023-05-10"),
            List.of(new SystemInventory.Disk("/dev/nvme0n1", "SAMSUNG MZVL2512HCJQ", "S64KNX0T", 512_110_190_592L)),
            List.of(new SystemInventory.NetworkInterface("eth0", "Intel Ethernet I219-V", "8c:8c:aa:01:02:03", List.of("10.0.0.5", "fe80::1"))),
            List.of(new SystemInventory.Filesystem("/", "ext4", "/dev/nvme0n1p2", 500_000_000_000L, 42_000_000_000L)),
            List.of(new SystemInventory.Software("openssl", "3.0.13-1~deb12u1", "amd64", "dpkg")),
            List.of(new SystemInventory.Service("ssh.service", "OpenBSD Secure Shell server", "running", "enabled")),
            new SystemInventory.Updates("apt", 3, 1, List.of("openssl"), true, "/var/run/reboot-required"),
            List.of(new SystemInventory.CollectorError("services", "systemctl timed out after 20 s")));

    /** One fully populated instance per subtype; a new subtype without one fails {@link #everyMessageMatchesItsGoldenFile()}. */
    private static final Map<Class<?>, Object> SAMPLES = samples(
            new AgentMessage.Hello(1, INVENTORY),
            new AgentMessage.Heartbeat(T1),
            new AgentMessage.InventoryReport(INVENTORY),
            new AgentMessage.CommandStarted(ID, T1),
            new AgentMessage.CommandResult(ID, "failed", 2, "out\n", "err \u00e9\n", true, false, "exit code 2", T1, T2,
                    "runs in a sandbox", "sandbox"),
            new AgentMessage.UpdateStatus("rolled_back", "1.2.0", "1.3.0", "gururmm-agent-linux-amd64-1.3.0.jar",
                    "the new version did not reach the server", T2),
            new AgentMessage.AgentEvents(List.of(new AgentEvent("bugcheck", "critical",
                    "Bugcheck 0x0000009f (DRIVER_POWER_STATE_FAILURE); dump saved to C:\\Windows\\MEMORY.DMP",
                    "windows-system:48213:1772366400123", T1, List.of(new AgentEvent.Detail("code", "0x0000009f"),
                    new AgentEvent.Detail("parameters", "0x0000000000000003, 0xffffc30e4b4f2060, 0xfffff8074a66f750, 0xffffc30e53e5d8a0"),
                    new AgentEvent.Detail("dump_path", "C:\\Windows\\MEMORY.DMP"))))),
            new AgentMessage.CheckResults(List.of(new AgentMessage.CheckResult(42L, "script:disk-cleanup", "critical",
                    "3 files over quota\n", T1))),
            new AgentMessage.MetricsReport(ID, List.of(new MetricSample(T1, new java.util.TreeMap<>(Map.of("cpu.percent", 12.5,
                    "memory.total_bytes", 8.3e9, "disk.percent:/", 41.0))))),
            new ServerMessage.MetricsAck(ID, 1, 2, 1, "1 sample refused: cpu.percent is 250.0, above 100"),
            new ServerMessage.Welcome(1, ID, T1, 30),
            new ServerMessage.RunCommand(ID, "sh", "echo \"hi\"\nexit 0", "system", 600,
                    Map.of("GURURMM_PARAM_NAME", "it's \"quoted\"\n$(not run)"), "sandbox"),
            new ServerMessage.CancelCommand(ID),
            new ServerMessage.ResultAck(ID),
            new ServerMessage.EventsAck(List.of("windows-system:48213:1772366400123")),
            new ServerMessage.Refused("malformed_frame", "malformed AgentMessage: unexpected token"),
            new ServerMessage.UpdateOffer("gururmm-agent-linux-amd64-1.3.0.jar", "1.3.0", "linux", "amd64",
                    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "c2lnbmF0dXJl", 123456789L,
                    "/downloads/gururmm-agent-linux-amd64-1.3.0.jar"),
            new AgentMessage.SystemInventoryReport(ID, SYSTEM_INVENTORY),
            new ServerMessage.CollectInventory(ID),
            new ServerMessage.TunnelOpen(ID, "user_session", 120, 40, 1048576L, 28800),
            new ServerMessage.TunnelClose(ID, "idle for 900 s"),
            new ServerMessage.ChecksConfig(List.of(new ServerMessage.AgentCheck("script:disk-cleanup", "script", 300, "nginx", "nginx",
                    "db.example.test", 5432, "https://intranet.example.test/health", 10, 200, 14, "exit 2", "sh"))),
            new ServerMessage.CheckResultsAck(42L),
            new AgentMessage.CommandOutput(ID, 7L, "stderr", 4096L, "line \u00e9\u0000\n", T1, "backlog"),
            new ServerMessage.FileUpload(ID, "/srv/app/config.yml", 262144L, 20971520L,
                    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
            new ServerMessage.FileChunk(ID, 262144L, "aGVsbG8K", true),
            new ServerMessage.FileDownload(ID, "C:\\Temp\\report.txt", 524288L,
                    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 262144, 4),
            new ServerMessage.FileDataAck(ID, 786432L),
            new ServerMessage.FileCancel(ID, "the client disconnected", true),
            new AgentMessage.FileReady(ID, "/srv/app/config.yml", 262144L, 20971520L,
                    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
            new AgentMessage.FileData(ID, 524288L, "aGVsbG8K"),
            new AgentMessage.FileChunkAck(ID, 524288L),
            new AgentMessage.FileDone(ID, "/srv/app/config.yml", 20971520L,
                    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
            new AgentMessage.FileError(ID, "offset_mismatch", "the part file holds 262144 bytes, not 524288", 262144L));

    private static Map<Class<?>, Object> samples(Object... messages) {
        Map<Class<?>, Object> out = new LinkedHashMap<>();
        for (Object m : messages) {
            out.put(m.getClass(), m);
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyMessageMatchesItsGoldenFile() {
        return Stream.concat(
                cases(AgentMessage.class, m -> Wire.encode((AgentMessage) m), Wire::decodeAgentMessage),
                cases(ServerMessage.class, m -> Wire.encode((ServerMessage) m), Wire::decodeServerMessage));
    }

    @Test
    void everySubtypeHasADistinctTypeName() {
        List<String> names = new ArrayList<>(typeNames(AgentMessage.class).values());
        names.addAll(typeNames(ServerMessage.class).values());
        // One golden directory for both directions: a clash would make two messages share a file.
        assertThat(names).doesNotHaveDuplicates();
        assertThat(new HashSet<>(names)).hasSize(AgentMessage.class.getPermittedSubclasses().length
                + ServerMessage.class.getPermittedSubclasses().length);
    }

    @TestFactory
    Stream<DynamicTest> unknownFieldsAreIgnoredEverywhere() {
        // Forward compatibility: a newer peer may add optional fields, at the top and in nested objects.
        return Stream.concat(
                        Arrays.stream(AgentMessage.class.getPermittedSubclasses()).map(c -> Map.entry(c, typeNames(AgentMessage.class))),
                        Arrays.stream(ServerMessage.class.getPermittedSubclasses()).map(c -> Map.entry(c, typeNames(ServerMessage.class))))
                .map(e -> DynamicTest.dynamicTest(e.getValue().get(e.getKey()), () -> {
                    Class<?> type = e.getKey();
                    String name = e.getValue().get(type);
                    JsonNode tree = MAPPER.readTree(golden(name));
                    addUnknownFields(tree);
                    String frame = MAPPER.writeValueAsString(tree);
                    assertThat(frame).contains("from_a_newer_peer");
                    Object decoded = AgentMessage.class.isAssignableFrom(type) ? Wire.decodeAgentMessage(frame) : Wire.decodeServerMessage(frame);
                    assertThat(decoded).isEqualTo(SAMPLES.get(type));
                }));
    }

    /**
     * {@code env} is additive: a run_command from a server that predates it decodes with no
     * variables, and a command without variables is encoded without the field (older agents see
     * exactly the frame they always did).
     */
    @Test
    void runCommandWithoutEnvIsTheOldFrame() throws Exception {
        String old = "{\"type\":\"run_command\",\"command_id\":\"" + ID + "\",\"command_type\":\"sh\",\"script\":\"echo\","
                + "\"context\":\"system\",\"timeout_seconds\":5}";
        ServerMessage decoded = Wire.decodeServerMessage(old);
        assertThat(decoded).isEqualTo(new ServerMessage.RunCommand(ID, "sh", "echo", "system", 5));
        assertThat(((ServerMessage.RunCommand) decoded).env()).isEmpty();
        assertThat(MAPPER.readTree(Wire.encode(decoded))).isEqualTo(MAPPER.readTree(old));
    }

    /**
     * {@code view} is additive both ways: a default (host-view) command is the old frame, and a
     * result from an agent that predates the field decodes with no view.
     */
    @Test
    void viewIsOmittedForTheDefaultAndAbsentFromOlderAgents() throws Exception {
        ServerMessage.RunCommand hostView = new ServerMessage.RunCommand(ID, "sh", "echo", "system", 5);
        assertThat(MAPPER.readTree(Wire.encode(hostView)).has("view")).isFalse();
        assertThat(hostView.wantsSandbox()).isFalse();
        String oldResult = "{\"type\":\"command_result\",\"command_id\":\"" + ID + "\",\"status\":\"completed\",\"exit_code\":0,"
                + "\"stdout\":\"\",\"stderr\":\"\",\"stdout_truncated\":false,\"stderr_truncated\":false}";
        AgentMessage.CommandResult decoded = (AgentMessage.CommandResult) Wire.decodeAgentMessage(oldResult);
        assertThat(decoded.view()).isNull();
        assertThat(MAPPER.readTree(Wire.encode(decoded)).has("view")).isFalse();
    }

    @Test
    void anUnknownMessageTypeIsReportedAsSuchAndNotAsGarbage() {
        String future = "{\"type\":\"from_the_future\",\"payload\":{\"x\":1}}";
        ProtocolException toServer = assertThrows(ProtocolException.class, () -> Wire.decodeAgentMessage(future));
        ProtocolException toAgent = assertThrows(ProtocolException.class, () -> Wire.decodeServerMessage(future));
        assertThat(toServer.unknownType()).contains("from_the_future");
        assertThat(toAgent.unknownType()).contains("from_the_future");

        for (String garbage : List.of("{}", "{\"type\":\"\"}", "[1]", "not json", "{\"type\":\"heartbeat\",\"sent_at\":\"yesterday\"}")) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> Wire.decodeAgentMessage(garbage), garbage);
            assertThat(e.unknownType()).as(garbage).isEmpty();
        }
        // A known type with a wrongly typed field stays malformed, not "unknown".
        ProtocolException badField = assertThrows(ProtocolException.class,
                () -> Wire.decodeServerMessage("{\"type\":\"welcome\",\"protocol_version\":\"one\"}"));
        assertThat(badField.unknownType()).isEmpty();
    }

    private static Stream<DynamicTest> cases(Class<?> sealed, Function<Object, String> encode, Decoder decode) {
        Map<Class<?>, String> names = typeNames(sealed);
        return Arrays.stream(sealed.getPermittedSubclasses()).map(type -> DynamicTest.dynamicTest(type.getSimpleName(), () -> {
            assertThat(names).as(type + " is registered in @JsonSubTypes of " + sealed.getSimpleName()).containsKey(type);
            Object sample = SAMPLES.get(type);
            assertThat(sample).as("a sample " + type.getSimpleName() + " in GoldenMessagesTest.SAMPLES").isNotNull();
            assertFullyPopulated(type.getSimpleName(), sample);

            String name = names.get(type);
            String encoded = encode.apply(sample);
            if (Boolean.getBoolean("gururmm.golden.write")) {
                Path file = Path.of("src", "test", "resources", "golden", name + ".json");
                Files.writeString(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(MAPPER.readTree(encoded)) + "\n");
            }
            String golden = golden(name);
            assertThat(MAPPER.readTree(encoded)).as("encoding of " + name + " vs golden/" + name + ".json").isEqualTo(MAPPER.readTree(golden));
            assertThat(decode.decode(golden)).as("golden/" + name + ".json decoded").isEqualTo(sample);
        }));
    }

    /** The {@code type} discriminator of each subtype, as registered on the sealed interface. */
    private static Map<Class<?>, String> typeNames(Class<?> sealed) {
        Map<Class<?>, String> out = new LinkedHashMap<>();
        for (JsonSubTypes.Type t : sealed.getAnnotation(JsonSubTypes.class).value()) {
            out.put(t.value(), t.name());
        }
        return out;
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = GoldenMessagesTest.class.getResourceAsStream("/golden/" + name + ".json")) {
            assertThat(in).as("golden file src/test/resources/golden/" + name + ".json (write it with -Dgururmm.golden.write=true)").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** No null and no empty list anywhere, so every field, nested ones included, is pinned by the golden file. */
    private static void assertFullyPopulated(String path, Object value) throws ReflectiveOperationException {
        assertThat(value).as(path + " is set in the sample").isNotNull();
        if (value instanceof Collection<?> items) {
            assertThat(items).as(path + " has an element in the sample").isNotEmpty();
            for (Object item : items) {
                assertFullyPopulated(path + "[]", item);
            }
        } else if (value.getClass().isRecord()) {
            for (RecordComponent c : value.getClass().getRecordComponents()) {
                assertFullyPopulated(path + "." + c.getName(), c.getAccessor().invoke(value));
            }
        }
    }

    private static void addUnknownFields(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<JsonNode> children = new ArrayList<>();
            // An env object is a map of data (variable names to values), not a record: a key in
            // it is a variable, never a field a newer peer added.
            object.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("env")) {
                    children.add(f.getValue());
                }
            });
            children.forEach(GoldenMessagesTest::addUnknownFields);
            object.put("from_a_newer_peer", "ignored");
            object.putObject("nested_from_a_newer_peer").put("n", 1).putArray("list").add(true);
        } else if (node instanceof ArrayNode array) {
            array.forEach(GoldenMessagesTest::addUnknownFields);
        }
    }

    @FunctionalInterface
    private interface Decoder {
        Object decode(String frame) throws ProtocolException;
    }

    @Test
    void theSampleSetCoversExactlyTheSealedSubtypes() {
        Set<Class<?>> permitted = new HashSet<>(Arrays.asList(AgentMessage.class.getPermittedSubclasses()));
        permitted.addAll(Arrays.asList(ServerMessage.class.getPermittedSubclasses()));
        assertThat(SAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(permitted);
    }
}

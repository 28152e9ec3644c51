package com.gururmm.server.agent;

import com.gururmm.protocol.api.Agents.AgentDetail;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.api.Releases.UpdateState;
import com.gururmm.protocol.wire.Inventory;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Secrets;
import com.gururmm.server.db.JsonText;
import com.gururmm.server.enrollment.EnrollmentTokenService;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrollment, identity and the agent views of the API.
 *
 * <p>Identity rule (SPEC section 5): the machine, not the installation, is the agent. An
 * enrollment whose {@code machine_uid} is already known updates that row (new device id, new
 * credential, enroll_count + 1) instead of filing a second "ghost" agent. The unique index on
 * {@code machine_uid} settles two simultaneous first enrollments: the loser retries as an update.
 */
public final class AgentService {
    private static final Logger log = LoggerFactory.getLogger(AgentService.class);
    static final Set<String> OS_NAMES = Set.of("windows", "linux", "macos");
    static final Set<String> ARCH_NAMES = Set.of("amd64", "arm64", "386");
    static final Set<String> CHANNELS = Set.of("stable", "beta");
    private static final Pattern VERSION = Pattern.compile("\\d{1,6}(\\.\\d{1,6}){0,3}([-+][0-9A-Za-z.-]{1,40})?");
    private static final int MAX_LIST_ITEMS = 64;

    private final AgentStore store;
    private final ConnectionRegistry registry;
    private final EnrollmentTokenService tokens;
    private final AuditLog audit;
    private final Clock clock;
    private final Function<UUID, UpdateState> updateStates;

    public AgentService(AgentStore store, ConnectionRegistry registry, EnrollmentTokenService tokens, AuditLog audit, Clock clock) {
        this(store, registry, tokens, audit, clock, id -> null);
    }

    /** @param updateStates each agent's latest self-update attempt, shown in {@link #get} (release feature) */
    public AgentService(AgentStore store, ConnectionRegistry registry, EnrollmentTokenService tokens, AuditLog audit, Clock clock,
                        Function<UUID, UpdateState> updateStates) {
        this.updateStates = updateStates;
        this.store = store;
        this.registry = registry;
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    public EnrollResponse enroll(EnrollRequest request, String clientAddress) {
        // Validate everything before spending a use of the token: bad input changes nothing.
        String deviceId = requireField(request.deviceId(), "device_id", 200);
        String machineUid = requireField(request.machineUid(), "machine_uid", 200);
        // Same cleaning as the hostname the agent reports later over its connection (see clip).
        String hostname = clip(requireField(request.hostname(), "hostname", 255), 255, "unknown");
        String os = oneOf(request.os(), "os", OS_NAMES);
        String arch = oneOf(request.arch(), "arch", ARCH_NAMES);
        String version = requireField(request.version(), "version", 50);
        if (!VERSION.matcher(version).matches()) {
            throw ApiException.badRequest("Field 'version' is '" + version + "'; expected a version such as 0.6.51.");
        }
        String channel = request.channel() == null || request.channel().isBlank() ? "stable" : oneOf(request.channel(), "channel", CHANNELS);
        if (request.enrollmentToken() == null || request.enrollmentToken().isBlank()) {
            throw ApiException.badRequest("Field 'enrollment_token' is required.");
        }

        tokens.requireUsable(request.enrollmentToken());
        // Identity is the machine (SPEC 5), and machine ids are not secret: a second installation
        // may take over a machine's row only while the agent holding it is away (a reinstall), never
        // from a connected agent, or anyone with an enrollment token could hijack a live machine.
        store.findByMachineUid(machineUid).filter(existing -> registry.isOnline(existing.id())).ifPresent(existing -> {
            audit.record("anonymous@" + clientAddress, "agent.enroll_refused", existing.id().toString(),
                    "machine_uid " + machineUid + " is connected as agent " + existing.id());
            throw ApiException.conflict("Machine " + machineUid + " is already connected as agent " + existing.id()
                    + "; stop that agent (or wait until it is offline) before enrolling this machine again.");
        });
        EnrollmentTokenService.Redemption redemption = tokens.redeem(request.enrollmentToken());
        String agentToken = Secrets.newToken("agent");
        String tokenHash = Secrets.sha256Hex(agentToken);
        Instant now = clock.instant();
        UUID agentId = store.findByMachineUid(machineUid)
                .map(existing -> reenroll(existing, deviceId, tokenHash, hostname, os, arch, version, channel, redemption.site(), now))
                .orElseGet(() -> {
                    UUID id = UUID.randomUUID();
                    try {
                        store.insert(new AgentRow(id, machineUid, deviceId, tokenHash, hostname, os, null, arch, version, channel,
                                redemption.site(), null, null, null, now, 1, null));
                    } catch (UnableToExecuteStatementException duplicate) {
                        AgentRow winner = store.findByMachineUid(machineUid).orElseThrow(() -> duplicate);
                        return reenroll(winner, deviceId, tokenHash, hostname, os, arch, version, channel, redemption.site(), now);
                    }
                    audit.record("enrollment-token:" + redemption.tokenId(), "agent.enroll", id.toString(),
                            "hostname=" + hostname + " machine_uid=" + machineUid + " from " + clientAddress);
                    return id;
                });
        return new EnrollResponse(agentId, agentToken);
    }

    private UUID reenroll(AgentRow existing, String deviceId, String tokenHash, String hostname, String os, String arch,
                          String version, String channel, String site, Instant now) {
        store.reenroll(existing.id(), deviceId, tokenHash, hostname, os, arch, version, channel, site, now);
        // The old credential is void now; drop a connection that still uses it.
        registry.disconnect(existing.id(), "re-enrolled; reconnect with the new credential");
        audit.record("system", "agent.reenroll", existing.id().toString(),
                "hostname=" + hostname + " device_id " + existing.deviceId() + " -> " + deviceId);
        log.info("machine {} re-enrolled as existing agent {} (enrollment #{})", existing.machineUid(), existing.id(), existing.enrollCount() + 1);
        return existing.id();
    }

    /** True when {@code token} is the current credential of agent {@code agentId}. */
    public boolean authenticate(UUID agentId, String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return false;
        }
        Optional<String> hash = store.tokenHash(agentId);
        return hash.isPresent() && Secrets.sameHash(hash.get(), Secrets.sha256Hex(token));
    }

    /** Stores what the agent reports about itself (connect and changes); hostile values are clipped. */
    public void recordInventory(UUID agentId, Inventory reported) {
        Inventory inventory = sanitize(reported);
        store.findById(agentId).ifPresent(row -> {
            if (reported.machineUid() != null && !reported.machineUid().equals(row.machineUid())) {
                log.warn("agent {} reports machine_uid {} but enrolled as {}; keeping the enrolled identity",
                        agentId, reported.machineUid(), row.machineUid());
            }
        });
        store.updateInventory(agentId, inventory, clock.instant());
        if (!inventory.health().stateDirWritable()) {
            log.error("agent {} ({}) cannot write its state directory: {}", agentId, inventory.hostname(), inventory.health().problems());
        }
    }

    public List<AgentSummary> list(String status, String os, String site, String hostnameGlob) {
        if (status != null && !status.equals("online") && !status.equals("offline")) {
            throw ApiException.badRequest("'status' must be online or offline; got '" + status + "'.");
        }
        return store.list(os, site, likePattern(hostnameGlob)).stream()
                .map(this::summary)
                .filter(a -> status == null || a.status().equals(status))
                .toList();
    }

    /**
     * A hostname glob ({@code *} any run, {@code ?} one character, everything else literal,
     * backslash included) as a LIKE pattern for {@code ESCAPE '!'} (see {@link AgentStore#list}).
     * A lone or trailing backslash used to reach LIKE as a dangling escape, which both databases
     * reject with an error: a 500 any viewer could cause, from the API or a bulk filter.
     */
    static String likePattern(String glob) {
        if (glob == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(glob.length() + 8);
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '!', '%', '_' -> out.append('!').append(c);
                case '*' -> out.append('%');
                case '?' -> out.append('_');
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    public AgentDetail get(UUID id) {
        AgentRow row = store.findById(id).orElseThrow(() -> ApiException.notFound("agent", id));
        AgentSummary s = summary(row);
        Inventory.Health health = Optional.ofNullable(JsonText.read(row.health(), Inventory.Health.class)).orElse(Inventory.Health.ok());
        return new AgentDetail(s.id(), s.hostname(), s.os(), s.arch(), s.version(), s.channel(), s.status(), s.lastSeen(),
                s.machineUid(), s.site(), row.deviceId(), row.osVersion(), JsonText.readStrings(row.ipAddresses()),
                JsonText.readStrings(row.loggedOnUsers()), health, row.enrolledAt(), row.enrollCount(),
                updateStates.apply(id));
    }

    public AgentRow require(UUID id) {
        return store.findById(id).orElseThrow(() -> ApiException.notFound("agent", id));
    }

    private AgentSummary summary(AgentRow row) {
        Instant lastSeen = registry.lastSeen(row.id())
                .filter(memory -> row.lastSeen() == null || memory.isAfter(row.lastSeen()))
                .orElse(row.lastSeen());
        return new AgentSummary(row.id(), row.hostname(), row.os(), row.arch(), row.version(), row.channel(),
                registry.isOnline(row.id()) ? "online" : "offline", lastSeen, row.machineUid(), row.site());
    }

    static Inventory sanitize(Inventory in) {
        Inventory.Health health = in.health() == null ? Inventory.Health.ok()
                : new Inventory.Health(in.health().stateDirWritable(), clipList(in.health().problems(), 500),
                        clip(in.health().sandbox(), 1000, null));
        return new Inventory(
                clip(in.hostname(), 255, "unknown"),
                OS_NAMES.contains(in.os()) ? in.os() : "linux",
                clip(in.osVersion(), 255, null),
                ARCH_NAMES.contains(in.arch()) ? in.arch() : clip(in.arch(), 20, "unknown"),
                clip(in.agentVersion(), 50, "0.0.0"),
                CHANNELS.contains(in.channel()) ? in.channel() : "stable",
                clip(in.machineUid(), 200, null),
                clip(in.deviceId(), 200, "unknown"),
                clipList(in.ipAddresses(), 100),
                clipList(in.loggedOnUsers(), 100),
                health);
    }

    /**
     * Trims an agent-reported string to {@code max} and replaces control characters (C0, DEL,
     * C1; NUL among them, which PostgreSQL cannot store at all) with U+FFFD, so a hostile or
     * broken agent can neither fail the inventory write nor put raw terminal escapes and line
     * breaks into names shown in tables and logs.
     */
    static String clip(String value, int max, String fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String clipped = value.length() > max ? value.substring(0, max) : value;
        if (clipped.chars().noneMatch(Character::isISOControl)) {
            return clipped;
        }
        StringBuilder out = new StringBuilder(clipped.length());
        clipped.chars().forEach(c -> out.append(Character.isISOControl(c) ? '\uFFFD' : (char) c));
        String cleaned = out.toString();
        return cleaned.isBlank() ? fallback : cleaned;
    }

    private static List<String> clipList(List<String> values, int maxItemLength) {
        if (values == null) {
            return List.of();
        }
        return values.stream().filter(v -> v != null && !v.isBlank()).limit(MAX_LIST_ITEMS)
                .map(v -> clip(v, maxItemLength, "")).toList();
    }

    private static String requireField(String value, String field, int maxLength) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("Field '" + field + "' is required.");
        }
        if (value.length() > maxLength) {
            throw ApiException.badRequest("Field '" + field + "' is longer than " + maxLength + " characters.");
        }
        return value.trim();
    }

    private static String oneOf(String value, String field, Set<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            throw ApiException.badRequest("Field '" + field + "' must be one of " + String.join(", ", allowed.stream().sorted().toList())
                    + "; got " + (value == null ? "nothing" : "'" + value + "'") + ".");
        }
        return value;
    }
}

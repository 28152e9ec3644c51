package com.gururmm.server.agent;

import com.gururmm.protocol.api.Agents.AgentDetail;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.api.Releases.UpdateState;
import com.gururmm.protocol.text.ControlChars;
import com.gururmm.protocol.wire.Inventory;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Scope;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.auth.Secrets;
import com.gururmm.server.tenancy.TenancyStore;
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
    private final HeldCommands heldCommands;
    private final Optional<String> hostMachineId;

    /**
     * @param updateStates each agent's latest self-update attempt, shown in {@link #get} (release feature)
     * @param heldCommands holds a re-enrolled machine's pending commands (command feature)
     * @param hostMachineId the server host's own machine id ({@link HostMachineId}): the agent enrolling with it is the server host
     */
    public AgentService(AgentStore store, ConnectionRegistry registry, EnrollmentTokenService tokens, AuditLog audit, Clock clock,
                        Function<UUID, UpdateState> updateStates, HeldCommands heldCommands, Optional<String> hostMachineId) {
        this.updateStates = updateStates;
        this.heldCommands = heldCommands;
        this.hostMachineId = hostMachineId;
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
        store.findByMachineUid(machineUid).filter(existing -> registry.isOnlineAnywhere(existing.id())).ifPresent(existing -> {
            audit.record("anonymous@" + clientAddress, "agent.enroll_refused", existing.id().toString(),
                    "machine_uid " + machineUid + " is connected as agent " + existing.id());
            throw ApiException.conflict("Machine " + machineUid + " is already connected as agent " + existing.id()
                    + "; stop that agent (or wait until it is offline) before enrolling this machine again.");
        });
        EnrollmentTokenService.Redemption redemption = tokens.redeem(request.enrollmentToken());
        // The server host's own agent: enrolled with the token the server minted for it, or running
        // on the server's machine however it was installed (admin-only, see ServerHostScope).
        boolean serverHost = redemption.serverHost() || hostMachineId.filter(machineUid::equals).isPresent();
        Enrolment enrolment = new Enrolment(deviceId, Secrets.newToken("agent"), hostname, os, arch, version, channel,
                redemption, serverHost, clientAddress, clock.instant());
        UUID agentId = store.findByMachineUid(machineUid)
                .map(existing -> reenroll(existing, enrolment))
                .orElseGet(() -> {
                    UUID id = UUID.randomUUID();
                    try {
                        store.insert(new AgentRow(id, machineUid, deviceId, enrolment.tokenHash(), hostname, os, null, arch, version,
                                channel, null, null, null, null, enrolment.at(), 1, null, serverHost,
                                redemption.siteId() != null ? redemption.siteId() : TenancyStore.DEFAULT_SITE, null, null));
                    } catch (UnableToExecuteStatementException duplicate) {
                        AgentRow winner = store.findByMachineUid(machineUid).orElseThrow(() -> duplicate);
                        return reenroll(winner, enrolment);
                    }
                    audit.record("enrollment-token:" + redemption.tokenId(), "agent.enroll", id.toString(),
                            "hostname=" + hostname + " machine_uid=" + machineUid + " device_id=" + deviceId + " from " + clientAddress
                                    + " site_id=" + (redemption.siteId() != null ? redemption.siteId() : TenancyStore.DEFAULT_SITE)
                                    + (serverHost ? " server_host=true" : ""));
                    return id;
                });
        return new EnrollResponse(agentId, enrolment.agentToken());
    }

    /** One validated enrollment request, after its token use was spent. */
    private record Enrolment(String deviceId, String agentToken, String hostname, String os, String arch, String version,
                             String channel, EnrollmentTokenService.Redemption redemption, boolean serverHost,
                             String clientAddress, Instant at) {
        String tokenHash() {
            return Secrets.sha256Hex(agentToken);
        }
    }

    /**
     * A known machine enrolled again: a new device id and credential replace its previous
     * identity (SPEC 5 keeps the row). Machine ids are not secret, so the enrolling party may be an
     * impostor: commands the previous identity never started are held for an admin (released or
     * discarded through {@code /api/agents/{id}/held-commands/...}) before the new credential is
     * handed out, so nothing queued for the old identity reaches the new one on its own.
     */
    private UUID reenroll(AgentRow existing, Enrolment e) {
        store.reenroll(existing.id(), e.deviceId(), e.tokenHash(), e.hostname(), e.os(), e.arch(), e.version(), e.channel(),
                e.redemption().siteId(), e.at(), e.serverHost());
        UUID siteAfter = e.redemption().siteId() != null ? e.redemption().siteId() : existing.siteId();
        int held = heldCommands.holdPending(existing.id(), "held at re-enrolment: this machine enrolled again at " + e.at()
                + " from " + e.clientAddress() + " as device " + e.deviceId() + " (was " + existing.deviceId()
                + "); a command queued for the previous identity runs only when an admin releases it", e.at());
        // The old credential is void now; drop a connection that still uses it.
        registry.disconnect(existing.id(), "re-enrolled; reconnect with the new credential");
        audit.record("enrollment-token:" + e.redemption().tokenId(), "agent.reenroll", existing.id().toString(),
                "hostname=" + e.hostname() + " device_id " + existing.deviceId() + " -> " + e.deviceId() + " from " + e.clientAddress()
                        + " held_commands=" + held + (e.serverHost() ? " server_host=true" : "")
                        + (siteAfter.equals(existing.siteId()) ? "" : " site_id " + existing.siteId() + " -> " + siteAfter));
        log.info("machine {} re-enrolled as existing agent {} (enrollment #{}); {} pending commands held for an admin",
                existing.machineUid(), existing.id(), existing.enrollCount() + 1, held);
        return existing.id();
    }

    /** True when {@code token} is the current credential of agent {@code agentId} (never for a retired agent). */
    public boolean authenticate(UUID agentId, String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return false;
        }
        Optional<String> hash = store.tokenHash(agentId);
        return hash.isPresent() && Secrets.sameHash(hash.get(), Secrets.sha256Hex(token));
    }

    /**
     * {@code DELETE /api/agents/{id}}: retires the agent. Its credential stops working at once
     * (the connection is closed; a reconnect or a download with it gets 401), its row and command
     * history stay, and it is left out of {@code GET /api/agents} unless {@code include_retired=true}.
     * Enrolling the machine again later is allowed and makes it active again (audited as a re-enrolment).
     * Retiring a retired agent changes nothing.
     */
    public void retire(com.gururmm.server.auth.Principal actor, UUID agentId) {
        AgentRow row = require(agentId);
        if (!store.retire(agentId, clock.instant())) {
            return;
        }
        registry.disconnect(agentId, "agent retired by an admin");
        audit.record(actor.name(), "agent.retire", agentId.toString(), "hostname=" + row.hostname() + " machine_uid=" + row.machineUid());
        log.info("agent {} ({}) retired by {}", agentId, row.hostname(), actor.name());
    }

    /** The agent, for a new command: a retired one can never run it, so 409 instead of a command that only expires. */
    public AgentRow requireActive(UUID id) {
        AgentRow row = require(id);
        if (store.isRetired(id)) {
            throw ApiException.conflict("Agent " + id + " is retired; enrol the machine again to run commands on it.");
        }
        return row;
    }

    /** For the gateway: a connection that authenticated just before its agent was retired must not stay. */
    public boolean isRetired(UUID agentId) {
        return store.isRetired(agentId);
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

    /** The active agents (retired ones left out), fleet-wide: for the server's own use, not a caller's listing. */
    public List<AgentSummary> list(String status, String os, String site, String hostnameGlob) {
        return list(status, os, site, hostnameGlob, false);
    }

    /** With {@code includeRetired}, retired agents are listed too, with status {@code retired}. Fleet-wide. */
    public List<AgentSummary> list(String status, String os, String site, String hostnameGlob, boolean includeRetired) {
        return list(status, os, site, hostnameGlob, null, null, includeRetired, Scope.ALL);
    }

    /**
     * A caller's listing: only agents within {@code scope} (filtered in SQL), optionally narrowed
     * to one client and/or site.
     */
    public List<AgentSummary> list(String status, String os, String site, String hostnameGlob, UUID clientId, UUID siteId,
                                   boolean includeRetired, Scope scope) {
        if (status != null && !status.equals("online") && !status.equals("offline") && !status.equals("retired")) {
            throw ApiException.badRequest("'status' must be online, offline or retired; got '" + Bodies.truncate(status) + "'.");
        }
        boolean withRetired = includeRetired || "retired".equals(status);
        String pattern = likePattern(hostnameGlob);
        Set<UUID> retired = withRetired ? store.retiredIds() : Set.of();
        return store.list(new AgentStore.Filter(os, site, pattern, clientId, siteId, withRetired), scope).stream()
                .map(row -> retired.contains(row.id()) ? retiredSummary(summary(row)) : summary(row))
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
        AgentSummary s = store.isRetired(id) ? retiredSummary(summary(row)) : summary(row);
        Inventory.Health health = Optional.ofNullable(JsonText.read(row.health(), Inventory.Health.class)).orElse(Inventory.Health.ok());
        HeldCommands.Held held = heldCommands.held(id);
        return new AgentDetail(s.id(), s.hostname(), s.os(), s.arch(), s.version(), s.channel(), s.status(), s.lastSeen(),
                s.machineUid(), s.site(), row.deviceId(), row.osVersion(), JsonText.readStrings(row.ipAddresses()),
                JsonText.readStrings(row.loggedOnUsers()), health, row.enrolledAt(), row.enrollCount(),
                updateStates.apply(id), row.serverHost(), held.count(), held.reason(), row.siteId(), row.clientId(), row.clientName());
    }

    /**
     * {@code PATCH /api/agents/{id}} {@code {"site_id"}}: moves the agent to another site, audited
     * with from and to. Scope follows at once: a technician of the old site no longer sees it.
     */
    public AgentDetail moveToSite(com.gururmm.server.auth.Principal actor, UUID agentId, TenancyStore.SiteRow site) {
        AgentRow row = require(agentId);
        if (!site.id().equals(row.siteId())) {
            store.moveToSite(agentId, site.id(), site.name());
            audit.record(actor.name(), "agent.move", agentId.toString(), "hostname=" + row.hostname() + " site " + row.clientName() + "/"
                    + row.site() + " (" + row.siteId() + ") -> " + site.clientName() + "/" + site.name() + " (" + site.id() + ")");
        }
        return get(agentId);
    }

    public AgentRow require(UUID id) {
        return store.findById(id).orElseThrow(() -> ApiException.notFound("agent", id));
    }

    private AgentSummary summary(AgentRow row) {
        Instant lastSeen = registry.lastSeen(row.id())
                .filter(memory -> row.lastSeen() == null || memory.isAfter(row.lastSeen()))
                .orElse(row.lastSeen());
        return new AgentSummary(row.id(), row.hostname(), row.os(), row.arch(), row.version(), row.channel(),
                registry.isOnlineAnywhere(row.id()) ? "online" : "offline", lastSeen, row.machineUid(), row.site(), row.serverHost(),
                row.siteId(), row.clientId(), row.clientName());
    }

    private static AgentSummary retiredSummary(AgentSummary s) {
        return new AgentSummary(s.id(), s.hostname(), s.os(), s.arch(), s.version(), s.channel(), "retired", s.lastSeen(),
                s.machineUid(), s.site(), s.serverHost(), s.siteId(), s.clientId(), s.clientName());
    }

    static Inventory sanitize(Inventory in) {
        Inventory.Health health = in.health() == null ? Inventory.Health.ok()
                : new Inventory.Health(in.health().stateDirWritable(), clipList(in.health().problems(), 500),
                        clip(in.health().sandbox(), 1000, null));
        return new Inventory(
                clip(in.hostname(), 255, "unknown"),
                known(OS_NAMES, in.os()) ? in.os() : "linux",
                clip(in.osVersion(), 255, null),
                known(ARCH_NAMES, in.arch()) ? in.arch() : clip(in.arch(), 20, "unknown"),
                clip(in.agentVersion(), 50, "0.0.0"),
                known(CHANNELS, in.channel()) ? in.channel() : "stable",
                clip(in.machineUid(), 200, null),
                clip(in.deviceId(), 200, "unknown"),
                clipList(in.ipAddresses(), 100),
                clipList(in.loggedOnUsers(), 100),
                health);
    }

    /** Null-safe: {@code Set.of(...).contains(null)} throws, and an agent may leave any field out. */
    private static boolean known(Set<String> names, String value) {
        return value != null && names.contains(value);
    }

    /**
     * Trims an agent-reported string to {@code max} and replaces what {@link ControlChars} calls
     * unsafe (C0, DEL, C1 — NUL among them, which PostgreSQL cannot store at all — and the bidi
     * controls that make {@code exe.jpg} read as {@code gpj.exe}) with U+FFFD, so a hostile or
     * broken agent can neither fail the inventory write nor put raw terminal escapes, line breaks
     * or reversed text into names shown in tables, the dashboard and logs.
     */
    static String clip(String value, int max, String fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String clipped = value.length() > max ? value.substring(0, max) : value;
        if (clipped.chars().noneMatch(ControlChars::isUnsafe)) {
            return clipped;
        }
        StringBuilder out = new StringBuilder(clipped.length());
        clipped.chars().forEach(c -> out.append(ControlChars.isUnsafe(c) ? '\uFFFD' : (char) c));
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

package com.gururmm.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.protocol.CommandStatus;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Agents.AgentDetail;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.api.Agents.HeldCommandsRequest;
import com.gururmm.protocol.api.Agents.HeldCommandsResult;
import com.gururmm.protocol.api.Alerts.AlertCounts;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.protocol.api.Alerts.MaintenanceWindowRequest;
import com.gururmm.protocol.api.Alerts.MaintenanceWindowView;
import com.gururmm.protocol.api.ApiError;
import com.gururmm.protocol.api.Checks.CheckRequest;
import com.gururmm.protocol.api.Checks.CheckView;
import com.gururmm.protocol.api.Checks.EffectiveCheck;
import com.gururmm.protocol.api.Audit.AuditEntry;
import com.gururmm.protocol.api.Auth.ChangePasswordRequest;
import com.gururmm.protocol.api.Auth.LoginRequest;
import com.gururmm.protocol.api.Auth.LoginResponse;
import com.gururmm.protocol.api.Auth.UpdateUserRequest;
import com.gururmm.protocol.api.Auth.UserDetail;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.protocol.api.Batches.BatchSubmitted;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandSubmitted;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.protocol.api.EnrollmentTokens.TokenView;
import com.gururmm.protocol.api.Releases.ChannelRequest;
import com.gururmm.protocol.api.Releases.CleanupRequest;
import com.gururmm.protocol.api.Releases.CleanupResult;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.protocol.api.Releases.RolloutRequest;
import com.gururmm.protocol.api.Releases.SigningKey;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Typed client for the GuruRMM REST API (SPEC section 3). Thread-safe. Every failure is a
 * {@link GuruApiException} carrying the server's status, error code and message.
 */
public final class GuruClient {
    private static final ObjectMapper MAPPER = Json.mapper();

    private final HttpClient http;
    private final URI baseUrl;
    private volatile String token;

    public GuruClient(URI baseUrl) {
        this(baseUrl, null);
    }

    public GuruClient(URI baseUrl, String token) {
        this(baseUrl, token, null);
    }

    /**
     * {@code fingerprint}: the SHA-256 of the server's TLS certificate to trust instead of the
     * system trust store (a self-signed server, docs/OPERATIONS.md "TLS"); null for the default.
     */
    public GuruClient(URI baseUrl, String token, String fingerprint) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (fingerprint != null) {
            builder.sslContext(com.gururmm.protocol.tls.CertificatePins.context(fingerprint, message -> { }));
        }
        this.http = builder.build();
        String text = baseUrl.toString();
        this.baseUrl = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.token = token;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public String token() {
        return token;
    }

    public void useToken(String bearer) {
        this.token = bearer;
    }

    // --- auth ---

    /**
     * The password step. With MFA ({@link LoginResponse#mfaRequired()}) there is no session yet:
     * complete it with {@link #verifyMfa} (or, when {@code mfa_enrollment_required}, first
     * {@link #enrollTotpAtLogin}); until then this client keeps no token.
     */
    public LoginResponse login(String email, String password) {
        LoginResponse response = call("POST", "/api/auth/login", new LoginRequest(email, password), LoginResponse.class);
        this.token = response.token();
        return response;
    }

    // --- MFA (docs/OPERATIONS.md, "MFA") ---

    /** {@code POST /api/auth/mfa/verify} with a TOTP code; this client continues with the session. */
    public LoginResponse verifyMfa(String mfaToken, String code) {
        return completeMfa(new com.gururmm.protocol.api.Mfa.VerifyRequest(mfaToken, code, null));
    }

    /** {@code POST /api/auth/mfa/verify} with a single-use recovery code. */
    public LoginResponse verifyMfaRecovery(String mfaToken, String recoveryCode) {
        return completeMfa(new com.gururmm.protocol.api.Mfa.VerifyRequest(mfaToken, null, recoveryCode));
    }

    private LoginResponse completeMfa(com.gururmm.protocol.api.Mfa.VerifyRequest request) {
        LoginResponse response = call("POST", "/api/auth/mfa/verify", request, LoginResponse.class);
        this.token = response.token();
        return response;
    }

    /** {@code POST /api/auth/mfa/login-enroll}: TOTP set-up for a login the MFA policy stopped. */
    public com.gururmm.protocol.api.Mfa.TotpEnrollment enrollTotpAtLogin(String mfaToken) {
        return call("POST", "/api/auth/mfa/login-enroll", new com.gururmm.protocol.api.Mfa.MfaTokenRequest(mfaToken),
                com.gururmm.protocol.api.Mfa.TotpEnrollment.class);
    }

    public com.gururmm.protocol.api.Mfa.Status mfaStatus() {
        return call("GET", "/api/auth/mfa", null, com.gururmm.protocol.api.Mfa.Status.class);
    }

    public com.gururmm.protocol.api.Mfa.TotpEnrollment enrollTotp(String password) {
        return call("POST", "/api/auth/mfa/totp/enroll", new com.gururmm.protocol.api.Mfa.PasswordRequest(password),
                com.gururmm.protocol.api.Mfa.TotpEnrollment.class);
    }

    public com.gururmm.protocol.api.Mfa.RecoveryCodes confirmTotp(String code) {
        return call("POST", "/api/auth/mfa/totp/confirm", new com.gururmm.protocol.api.Mfa.CodeRequest(code),
                com.gururmm.protocol.api.Mfa.RecoveryCodes.class);
    }

    /** {@code DELETE /api/auth/mfa/totp}: the password and a current code ({@code recoveryCode} instead: pass code null). */
    public void disableTotp(String password, String code, String recoveryCode) {
        call("DELETE", "/api/auth/mfa/totp", new com.gururmm.protocol.api.Mfa.DisableRequest(password, code, recoveryCode), Void.class);
    }

    /** Admin: removes another user's MFA. */
    public void resetUserMfa(UUID userId) {
        call("DELETE", "/api/users/" + userId + "/mfa", null, Void.class);
    }

    public com.gururmm.protocol.api.Mfa.Policy mfaPolicy() {
        return call("GET", "/api/settings/mfa", null, com.gururmm.protocol.api.Mfa.Policy.class);
    }

    public com.gururmm.protocol.api.Mfa.Policy setMfaPolicy(List<String> requiredRoles) {
        return call("PUT", "/api/settings/mfa", new com.gururmm.protocol.api.Mfa.Policy(requiredRoles), com.gururmm.protocol.api.Mfa.Policy.class);
    }

    public UserView me() {
        return call("GET", "/api/auth/me", null, UserView.class);
    }

    public UserView createUser(String email, String password, String role) {
        return call("POST", "/api/users", new com.gururmm.protocol.api.Auth.CreateUserRequest(email, password, role), UserView.class);
    }

    /** {@code POST /api/auth/logout}: the server ends this session; the client forgets its token. */
    public void logout() {
        call("POST", "/api/auth/logout", null, Void.class);
        this.token = null;
    }

    /** {@code POST /api/auth/password}: every session of the user ends; this client continues with the fresh token. */
    public LoginResponse changePassword(String currentPassword, String newPassword) {
        LoginResponse response = call("POST", "/api/auth/password", new ChangePasswordRequest(currentPassword, newPassword), LoginResponse.class);
        this.token = response.token();
        return response;
    }

    public List<UserDetail> users() {
        return call("GET", "/api/users", null, new TypeReference<List<UserDetail>>() {
        });
    }

    /** {@code PATCH /api/users/{id}}; null leaves a field as it is. */
    public UserDetail updateUser(UUID id, Boolean disabled, String role) {
        return call("PATCH", "/api/users/" + id, new UpdateUserRequest(disabled, role), UserDetail.class);
    }

    public void deleteUser(UUID id) {
        call("DELETE", "/api/users/" + id, null, Void.class);
    }

    /** {@code POST /api/users} with a scope (technician and viewer: the clients and sites they may see). */
    public UserView createUser(String email, String password, String role, com.gururmm.protocol.api.Auth.ScopeView scope) {
        return call("POST", "/api/users", new com.gururmm.protocol.api.Auth.CreateUserRequest(email, password, role, scope), UserView.class);
    }

    public UserDetail user(UUID id) {
        return call("GET", "/api/users/" + id, null, UserDetail.class);
    }

    /** {@code PATCH /api/users/{id}}; null leaves a field as it is; a scope replaces the user's grants. */
    public UserDetail updateUser(UUID id, Boolean disabled, String role, com.gururmm.protocol.api.Auth.ScopeView scope) {
        return call("PATCH", "/api/users/" + id, new UpdateUserRequest(disabled, role, scope), UserDetail.class);
    }

    /** {@code POST /api/users/{id}/reset-password}: null generates a password (returned once). */
    public com.gururmm.protocol.api.Auth.ResetPasswordResponse resetPassword(UUID id, String password) {
        return call("POST", "/api/users/" + id + "/reset-password", new com.gururmm.protocol.api.Auth.ResetPasswordRequest(password),
                com.gururmm.protocol.api.Auth.ResetPasswordResponse.class);
    }

    // --- clients and sites ---

    public List<com.gururmm.protocol.api.Tenancy.ClientView> clients() {
        return call("GET", "/api/clients", null, new TypeReference<List<com.gururmm.protocol.api.Tenancy.ClientView>>() {
        });
    }

    public com.gururmm.protocol.api.Tenancy.ClientView createClient(String name) {
        return call("POST", "/api/clients", new com.gururmm.protocol.api.Tenancy.NameRequest(name), com.gururmm.protocol.api.Tenancy.ClientView.class);
    }

    public com.gururmm.protocol.api.Tenancy.ClientView renameClient(UUID id, String name) {
        return call("PATCH", "/api/clients/" + id, new com.gururmm.protocol.api.Tenancy.NameRequest(name), com.gururmm.protocol.api.Tenancy.ClientView.class);
    }

    public void deleteClient(UUID id) {
        call("DELETE", "/api/clients/" + id, null, Void.class);
    }

    /** The sites of one client, or (null) every site in the caller's scope. */
    public List<com.gururmm.protocol.api.Tenancy.SiteView> sites(UUID clientId) {
        return call("GET", clientId == null ? "/api/sites" : "/api/clients/" + clientId + "/sites", null,
                new TypeReference<List<com.gururmm.protocol.api.Tenancy.SiteView>>() {
                });
    }

    public com.gururmm.protocol.api.Tenancy.SiteView createSite(UUID clientId, String name) {
        return call("POST", "/api/clients/" + clientId + "/sites", new com.gururmm.protocol.api.Tenancy.NameRequest(name),
                com.gururmm.protocol.api.Tenancy.SiteView.class);
    }

    public com.gururmm.protocol.api.Tenancy.SiteView renameSite(UUID id, String name) {
        return call("PATCH", "/api/sites/" + id, new com.gururmm.protocol.api.Tenancy.NameRequest(name), com.gururmm.protocol.api.Tenancy.SiteView.class);
    }

    public void deleteSite(UUID id) {
        call("DELETE", "/api/sites/" + id, null, Void.class);
    }

    /** {@code PATCH /api/agents/{id}}: move the agent to another site. */
    public AgentDetail moveAgent(UUID id, UUID siteId) {
        return call("PATCH", "/api/agents/" + id, new com.gururmm.protocol.api.Agents.UpdateAgentRequest(siteId), AgentDetail.class);
    }

    // --- agents ---

    public List<AgentSummary> agents() {
        return agents(Map.of());
    }

    /** Filters: {@code status}, {@code os}, {@code site}, {@code hostname} (glob), {@code include_retired}. */
    public List<AgentSummary> agents(Map<String, String> filters) {
        return call("GET", "/api/agents" + query(filters), null, new TypeReference<List<AgentSummary>>() {
        });
    }

    public AgentDetail agent(UUID id) {
        return call("GET", "/api/agents/" + id, null, AgentDetail.class);
    }

    /**
     * {@code GET /api/agents/{id}/metrics}: series in aligned arrays. {@code from}, {@code to} (null = the
     * server's default, the last hour) and {@code stepSeconds} (null = chosen by the server).
     */
    public com.gururmm.protocol.api.Metrics.MetricSeries agentMetrics(UUID id, java.time.Instant from, java.time.Instant to, Long stepSeconds) {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        if (from != null) {
            params.put("from", Long.toString(from.getEpochSecond()));
        }
        if (to != null) {
            params.put("to", Long.toString(to.getEpochSecond()));
        }
        if (stepSeconds != null) {
            params.put("step", Long.toString(stepSeconds));
        }
        return call("GET", "/api/agents/" + id + "/metrics" + query(params), null, com.gururmm.protocol.api.Metrics.MetricSeries.class);
    }

    /** {@code DELETE /api/agents/{id}}: retires the agent (credential revoked, history kept). */
    public void retireAgent(UUID id) {
        call("DELETE", "/api/agents/" + id, null, Void.class);
    }

    public EnrollResponse enroll(EnrollRequest request) {
        return call("POST", "/api/agent/enroll", request, EnrollResponse.class);
    }

    // --- inventory ---

    /** {@code GET /api/agents/{id}/inventory}: the latest full system inventory. */
    public com.gururmm.protocol.api.Inventories.AgentInventory inventory(UUID agentId) {
        return call("GET", "/api/agents/" + agentId + "/inventory", null, com.gururmm.protocol.api.Inventories.AgentInventory.class);
    }

    /** {@code POST /api/agents/{id}/inventory/refresh}: asks the online agent for a fresh inventory. */
    public com.gururmm.protocol.api.Inventories.RefreshRequested refreshInventory(UUID agentId) {
        return call("POST", "/api/agents/" + agentId + "/inventory/refresh", null, com.gururmm.protocol.api.Inventories.RefreshRequested.class);
    }

    /**
     * {@code GET /api/inventory/search}: {@code software}, {@code version_below}, {@code filesystem_free_below_percent},
     * {@code pending_updates_above}, {@code pending_updates_older_than_days}, {@code reboot_required}, {@code limit}.
     */
    public com.gururmm.protocol.api.Inventories.SearchResult searchInventory(Map<String, String> filters) {
        return call("GET", "/api/inventory/search" + query(filters), null, com.gururmm.protocol.api.Inventories.SearchResult.class);
    }

    // --- commands ---

    public CommandSubmitted runCommand(UUID agentId, CommandRequest request) {
        return call("POST", "/api/agents/" + agentId + "/command", request, CommandSubmitted.class);
    }

    public CommandView command(UUID id) {
        return call("GET", "/api/commands/" + id, null, CommandView.class);
    }

    public CommandView cancelCommand(UUID id) {
        return call("POST", "/api/commands/" + id + "/cancel", null, CommandView.class);
    }

    /**
     * Admin: releases commands held when the agent's machine enrolled again (null: all of them) to
     * its current identity, or discards them ({@code release} false).
     */
    public HeldCommandsResult decideHeldCommands(UUID agentId, List<UUID> commandIds, boolean release) {
        return call("POST", "/api/agents/" + agentId + "/held-commands/" + (release ? "release" : "discard"),
                new HeldCommandsRequest(commandIds), HeldCommandsResult.class);
    }

    public List<CommandView> agentCommands(UUID agentId) {
        return agentCommands(agentId, null, null);
    }

    /** Newest first; {@code status} and {@code limit} are optional (null: any status, the server's default limit). */
    public List<CommandView> agentCommands(UUID agentId, String status, Integer limit) {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("status", status);
        filters.put("limit", limit == null ? null : limit.toString());
        return call("GET", "/api/agents/" + agentId + "/commands" + query(filters), null, new TypeReference<List<CommandView>>() {
        });
    }

    /** Events the agent reported (bugchecks, unexpected shutdowns), newest first; {@code kind} and {@code limit} optional. */
    public List<com.gururmm.protocol.api.AgentEvents.AgentEventView> agentEvents(UUID agentId, String kind, Integer limit) {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("kind", kind);
        filters.put("limit", limit == null ? null : limit.toString());
        return call("GET", "/api/agents/" + agentId + "/events" + query(filters), null,
                new TypeReference<List<com.gururmm.protocol.api.AgentEvents.AgentEventView>>() {
                });
    }

    /** Server metrics in Prometheus text format ({@code GET /metrics}, admin). */
    public String serverMetrics() {
        RawResponse response = raw("GET", "/metrics", null, Map.of());
        if (response.status() != 200) {
            throw new GuruApiException(response.status(), "metrics", "GET /metrics answered " + response.status() + ": " + response.body());
        }
        return response.body();
    }

    /** The longest single {@code ?wait=} this client asks for; longer waits are several requests. */
    static final int WAIT_CHUNK_SECONDS = 25;

    /**
     * {@code GET /api/commands/{id}?wait=SECONDS}: the command once it leaves
     * {@code queued}/{@code running}, or its current state after {@code seconds} (0..300).
     */
    public CommandView command(UUID id, int waitSeconds) {
        return call("GET", "/api/commands/" + id + "?wait=" + waitSeconds, null, CommandView.class);
    }

    /**
     * Waits until the command leaves {@code queued}/{@code running}, or {@code timeout} passes,
     * with long-poll requests (the server answers the moment the status changes).
     */
    public CommandView awaitCommand(UUID id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long leftSeconds = Math.max(0, (deadline - System.nanoTime() + 999_999_999L) / 1_000_000_000L);
            CommandView view = command(id, (int) Math.min(WAIT_CHUNK_SECONDS, leftSeconds));
            if (CommandStatus.parse(view.status()).map(CommandStatus::isTerminal).orElse(true)
                    || System.nanoTime() >= deadline) {
                return view;
            }
        }
    }

    /**
     * Opens {@code GET /api/events} (server-sent events). {@code types} is a comma-separated list
     * or null for all; {@code agentId} narrows to one agent; {@code lastEventId} resumes.
     */
    public EventStream events(String types, UUID agentId, String lastEventId) {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("types", types);
        filters.put("agent_id", agentId == null ? null : agentId.toString());
        return openEventStream("/api/events" + query(filters), lastEventId);
    }

    /**
     * {@code GET /api/commands/{id}/output?after_seq=N}: the stored live-output chunks after seq
     * {@code afterSeq} (at most a page; {@code more} says ask again), with the command's status.
     */
    public com.gururmm.protocol.api.Commands.CommandOutputView commandOutput(UUID id, long afterSeq) {
        return call("GET", "/api/commands/" + id + "/output?after_seq=" + afterSeq, null,
                com.gururmm.protocol.api.Commands.CommandOutputView.class);
    }

    /**
     * {@code GET /api/commands/{id}/output?follow=true}: the command's live output as it is stored,
     * as {@code output} events (data: a chunk; id: its seq), then one {@code end} event (status,
     * exit code) when the command is final, after which the stream ends. Resume a dropped stream
     * with {@code afterSeq} = the last event id seen.
     */
    public EventStream followOutput(UUID id, long afterSeq) {
        return openEventStream("/api/commands/" + id + "/output?follow=true&after_seq=" + afterSeq, null);
    }

    private EventStream openEventStream(String path, String lastEventId) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(baseUrl.resolve(path))
                .header("Accept", "text/event-stream").GET();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        if (lastEventId != null) {
            builder.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<java.util.stream.Stream<String>> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() >= 400) {
                String body;
                try (var lines = response.body()) {
                    body = lines.collect(Collectors.joining("\n"));
                }
                throw error(new RawResponse(response.statusCode(), body, response.headers()));
            }
            return new EventStream(response);
        } catch (IOException e) {
            throw new GuruApiException(0, "unreachable", "Cannot reach the server at " + baseUrl + ": " + reason(e) + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuruApiException(0, "interrupted", "Interrupted while calling " + baseUrl);
        }
    }

    // --- bulk commands ---

    /** {@code POST /api/commands}: one command for the listed agents or every agent a filter selects. */
    public BatchSubmitted runBatch(BatchRequest request) {
        return call("POST", "/api/commands", request, BatchSubmitted.class);
    }

    /** {@code GET /api/batches/{id}} with every agent's result. */
    public BatchView batch(UUID id) {
        return batch(id, true);
    }

    /** Progress only ({@code withResults=false}) is cheap enough to poll on a large batch. */
    public BatchView batch(UUID id, boolean withResults) {
        return call("GET", "/api/batches/" + id + (withResults ? "" : "?results=false"), null, BatchView.class);
    }

    /** Polls progress until every command of the batch has finished, or {@code timeout} passes. */
    public BatchView awaitBatch(UUID id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleep = 20;
        while (!batch(id, false).done() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep = Math.min(500, sleep * 2);
        }
        return batch(id, true);
    }

    // --- script library (docs/OPERATIONS.md, "Automation") ---

    public com.gururmm.protocol.api.Scripts.ScriptView createScript(com.gururmm.protocol.api.Scripts.ScriptRequest request) {
        return call("POST", "/api/scripts", request, com.gururmm.protocol.api.Scripts.ScriptView.class);
    }

    /** Filters: {@code category}, {@code q} (a word of the name or description). */
    public List<com.gururmm.protocol.api.Scripts.ScriptView> scripts(Map<String, String> filters) {
        return call("GET", "/api/scripts" + query(filters), null, new TypeReference<List<com.gururmm.protocol.api.Scripts.ScriptView>>() {
        });
    }

    public com.gururmm.protocol.api.Scripts.ScriptView script(UUID id) {
        return call("GET", "/api/scripts/" + id, null, com.gururmm.protocol.api.Scripts.ScriptView.class);
    }

    public com.gururmm.protocol.api.Scripts.ScriptView script(UUID id, int version) {
        return call("GET", "/api/scripts/" + id + "?version=" + version, null, com.gururmm.protocol.api.Scripts.ScriptView.class);
    }

    /** A new version; null fields of {@code change} stay as they are. */
    public com.gururmm.protocol.api.Scripts.ScriptView updateScript(UUID id, com.gururmm.protocol.api.Scripts.ScriptRequest change) {
        return call("PATCH", "/api/scripts/" + id, change, com.gururmm.protocol.api.Scripts.ScriptView.class);
    }

    public void deleteScript(UUID id) {
        call("DELETE", "/api/scripts/" + id, null, Void.class);
    }

    public List<com.gururmm.protocol.api.Scripts.VersionSummary> scriptVersions(UUID id) {
        return call("GET", "/api/scripts/" + id + "/versions", null, new TypeReference<List<com.gururmm.protocol.api.Scripts.VersionSummary>>() {
        });
    }

    public com.gururmm.protocol.api.Scripts.RunSubmitted runScript(UUID id, com.gururmm.protocol.api.Scripts.RunRequest request) {
        return call("POST", "/api/scripts/" + id + "/run", request, com.gururmm.protocol.api.Scripts.RunSubmitted.class);
    }

    public List<com.gururmm.protocol.api.Scripts.RunView> scriptRuns(UUID id) {
        return call("GET", "/api/scripts/" + id + "/runs", null, new TypeReference<List<com.gururmm.protocol.api.Scripts.RunView>>() {
        });
    }

    /** The script as a plain file: YAML front matter in comment lines, then its text (for git). */
    public String exportScript(UUID id) {
        RawResponse response = raw("GET", "/api/scripts/" + id + "/export", null, Map.of());
        if (response.status() >= 400) {
            throw error(response);
        }
        return response.body();
    }

    /** Imports a file made by {@link #exportScript} (or by hand): a new script, or a new version of the one with its name. */
    public com.gururmm.protocol.api.Scripts.ScriptView importScript(String file) {
        RawResponse response = raw("POST", "/api/scripts/import", file, Map.of("Content-Type", "text/plain; charset=utf-8"));
        if (response.status() >= 400) {
            throw error(response);
        }
        try {
            return MAPPER.readValue(response.body(), com.gururmm.protocol.api.Scripts.ScriptView.class);
        } catch (JsonProcessingException e) {
            throw new GuruApiException(response.status(), "bad_response", "The server sent a response this client cannot read: " + e.getOriginalMessage());
        }
    }

    // --- scheduled tasks ---

    public com.gururmm.protocol.api.Schedules.ScheduleView createSchedule(com.gururmm.protocol.api.Schedules.ScheduleRequest request) {
        return call("POST", "/api/schedules", request, com.gururmm.protocol.api.Schedules.ScheduleView.class);
    }

    /** Filter: {@code script_id}. */
    public List<com.gururmm.protocol.api.Schedules.ScheduleView> schedules(Map<String, String> filters) {
        return call("GET", "/api/schedules" + query(filters), null, new TypeReference<List<com.gururmm.protocol.api.Schedules.ScheduleView>>() {
        });
    }

    public com.gururmm.protocol.api.Schedules.ScheduleView schedule(UUID id) {
        return call("GET", "/api/schedules/" + id, null, com.gururmm.protocol.api.Schedules.ScheduleView.class);
    }

    public com.gururmm.protocol.api.Schedules.ScheduleView updateSchedule(UUID id, com.gururmm.protocol.api.Schedules.ScheduleRequest change) {
        return call("PATCH", "/api/schedules/" + id, change, com.gururmm.protocol.api.Schedules.ScheduleView.class);
    }

    public void deleteSchedule(UUID id) {
        call("DELETE", "/api/schedules/" + id, null, Void.class);
    }

    /** The schedule's occurrences, newest first. */
    public List<com.gururmm.protocol.api.Schedules.ScheduleRun> scheduleRuns(UUID id) {
        return call("GET", "/api/schedules/" + id + "/runs", null, new TypeReference<List<com.gururmm.protocol.api.Schedules.ScheduleRun>>() {
        });
    }

    // --- policies ---

    public com.gururmm.protocol.api.Policies.PolicyView createPolicy(com.gururmm.protocol.api.Policies.PolicyRequest request) {
        return call("POST", "/api/policies", request, com.gururmm.protocol.api.Policies.PolicyView.class);
    }

    public List<com.gururmm.protocol.api.Policies.PolicyView> policies() {
        return call("GET", "/api/policies", null, new TypeReference<List<com.gururmm.protocol.api.Policies.PolicyView>>() {
        });
    }

    public com.gururmm.protocol.api.Policies.PolicyView policy(UUID id) {
        return call("GET", "/api/policies/" + id, null, com.gururmm.protocol.api.Policies.PolicyView.class);
    }

    public com.gururmm.protocol.api.Policies.PolicyView updatePolicy(UUID id, com.gururmm.protocol.api.Policies.PolicyRequest change) {
        return call("PATCH", "/api/policies/" + id, change, com.gururmm.protocol.api.Policies.PolicyView.class);
    }

    public void deletePolicy(UUID id) {
        call("DELETE", "/api/policies/" + id, null, Void.class);
    }

    public com.gururmm.protocol.api.Policies.Assignment assignPolicy(UUID id, com.gururmm.protocol.api.Policies.AssignmentRequest request) {
        return call("POST", "/api/policies/" + id + "/assignments", request, com.gururmm.protocol.api.Policies.Assignment.class);
    }

    public void unassignPolicy(UUID id, UUID assignmentId) {
        call("DELETE", "/api/policies/" + id + "/assignments/" + assignmentId, null, Void.class);
    }

    public void excludeFromPolicy(UUID id, UUID agentId) {
        call("POST", "/api/policies/" + id + "/exclusions", new com.gururmm.protocol.api.Policies.ExclusionRequest(agentId), Void.class);
    }

    public void includeInPolicy(UUID id, UUID agentId) {
        call("DELETE", "/api/policies/" + id + "/exclusions/" + agentId, null, Void.class);
    }

    /** What applies to the agent, with where each policy comes from. */
    public com.gururmm.protocol.api.Policies.AgentPolicies agentPolicies(UUID agentId) {
        return call("GET", "/api/agents/" + agentId + "/policies", null, com.gururmm.protocol.api.Policies.AgentPolicies.class);
    }

    // --- API keys (docs/OPERATIONS.md, "API keys") ---

    /**
     * {@code POST /api/api-keys}: needs a signed-in session (an API key cannot create keys). The
     * answer's {@code key} is the only time the secret is shown; use it as this client's token with
     * {@code new GuruClient(url, key)} or {@link #useToken}.
     */
    public com.gururmm.protocol.api.ApiKeys.Created createApiKey(com.gururmm.protocol.api.ApiKeys.CreateRequest request) {
        return call("POST", "/api/api-keys", request, com.gururmm.protocol.api.ApiKeys.Created.class);
    }

    /** {@code GET /api/api-keys}: one's own keys; {@code all} (admins): everyone's. */
    public List<com.gururmm.protocol.api.ApiKeys.KeyView> apiKeys(boolean all) {
        return call("GET", "/api/api-keys" + (all ? "?all=true" : ""), null,
                new TypeReference<List<com.gururmm.protocol.api.ApiKeys.KeyView>>() {
                });
    }

    /** {@code DELETE /api/api-keys/{id}}: the key stops working at once. */
    public void revokeApiKey(UUID id) {
        call("DELETE", "/api/api-keys/" + id, null, Void.class);
    }

    // --- enrollment tokens ---

    public TokenView createEnrollmentToken(CreateRequest request) {
        return call("POST", "/api/enrollment-tokens", request, TokenView.class);
    }

    public List<TokenView> enrollmentTokens() {
        return call("GET", "/api/enrollment-tokens", null, new TypeReference<List<TokenView>>() {
        });
    }

    public void revokeEnrollmentToken(UUID id) {
        call("DELETE", "/api/enrollment-tokens/" + id, null, Void.class);
    }

    // --- checks, alerts, maintenance windows ---

    public CheckView createCheck(CheckRequest request) {
        return call("POST", "/api/checks", request, CheckView.class);
    }

    /** Filters: {@code scope}, {@code site}, {@code agent_id}, {@code kind}. */
    public List<CheckView> checks(Map<String, String> filters) {
        return call("GET", "/api/checks" + query(filters), null, new TypeReference<List<CheckView>>() {
        });
    }

    public CheckView check(UUID id) {
        return call("GET", "/api/checks/" + id, null, CheckView.class);
    }

    /** {@code PATCH /api/checks/{id}}: null fields of {@code change} stay as they are. */
    public CheckView updateCheck(UUID id, CheckRequest change) {
        return call("PATCH", "/api/checks/" + id, change, CheckView.class);
    }

    public void deleteCheck(UUID id) {
        call("DELETE", "/api/checks/" + id, null, Void.class);
    }

    /** The checks that apply to the agent, with their origin (fleet, site, agent) and last result. */
    public List<EffectiveCheck> agentChecks(UUID agentId) {
        return call("GET", "/api/agents/" + agentId + "/checks", null, new TypeReference<List<EffectiveCheck>>() {
        });
    }

    /** Filters: {@code state} (open, acknowledged, resolved, active), {@code severity}, {@code agent}, {@code site}, {@code check}, {@code since}, {@code limit}. */
    public List<AlertView> alerts(Map<String, String> filters) {
        return call("GET", "/api/alerts" + query(filters), null, new TypeReference<List<AlertView>>() {
        });
    }

    public AlertView alert(UUID id) {
        return call("GET", "/api/alerts/" + id, null, AlertView.class);
    }

    public AlertCounts alertCounts() {
        return call("GET", "/api/alerts/counts", null, AlertCounts.class);
    }

    /** Unresolved alerts per agent (only agents that have one), with the worst severity. */
    public List<com.gururmm.protocol.api.Alerts.AgentAlertCount> alertCountsByAgent() {
        return call("GET", "/api/alerts/counts?by=agent", null, new TypeReference<List<com.gururmm.protocol.api.Alerts.AgentAlertCount>>() {
        });
    }

    public AlertView acknowledgeAlert(UUID id) {
        return call("POST", "/api/alerts/" + id + "/acknowledge", null, AlertView.class);
    }

    public AlertView resolveAlert(UUID id) {
        return call("POST", "/api/alerts/" + id + "/resolve", null, AlertView.class);
    }

    public MaintenanceWindowView createMaintenanceWindow(MaintenanceWindowRequest request) {
        return call("POST", "/api/maintenance-windows", request, MaintenanceWindowView.class);
    }

    public List<MaintenanceWindowView> maintenanceWindows(Map<String, String> filters) {
        return call("GET", "/api/maintenance-windows" + query(filters), null, new TypeReference<List<MaintenanceWindowView>>() {
        });
    }

    public MaintenanceWindowView updateMaintenanceWindow(UUID id, MaintenanceWindowRequest change) {
        return call("PATCH", "/api/maintenance-windows/" + id, change, MaintenanceWindowView.class);
    }

    public void deleteMaintenanceWindow(UUID id) {
        call("DELETE", "/api/maintenance-windows/" + id, null, Void.class);
    }

    // --- audit ---

    public List<AuditEntry> audit() {
        return call("GET", "/api/audit", null, new TypeReference<List<AuditEntry>>() {
        });
    }

    // --- notifications (docs/OPERATIONS.md, "Notifications") ---

    public com.gururmm.protocol.api.Notifications.ChannelView createNotificationChannel(
            com.gururmm.protocol.api.Notifications.ChannelRequest request) {
        return call("POST", "/api/notification-channels", request, com.gururmm.protocol.api.Notifications.ChannelView.class);
    }

    public com.gururmm.protocol.api.Notifications.ChannelView updateNotificationChannel(UUID id,
            com.gururmm.protocol.api.Notifications.ChannelRequest request) {
        return call("PATCH", "/api/notification-channels/" + id, request, com.gururmm.protocol.api.Notifications.ChannelView.class);
    }

    public List<com.gururmm.protocol.api.Notifications.ChannelView> notificationChannels() {
        return call("GET", "/api/notification-channels", null,
                new TypeReference<List<com.gururmm.protocol.api.Notifications.ChannelView>>() {
                });
    }

    public void deleteNotificationChannel(UUID id) {
        call("DELETE", "/api/notification-channels/" + id, null, Void.class);
    }

    public com.gururmm.protocol.api.Notifications.TestResult testNotificationChannel(UUID id) {
        return call("POST", "/api/notification-channels/" + id + "/test", null, com.gururmm.protocol.api.Notifications.TestResult.class);
    }

    public com.gururmm.protocol.api.Notifications.RuleView createNotificationRule(com.gururmm.protocol.api.Notifications.RuleRequest request) {
        return call("POST", "/api/notification-rules", request, com.gururmm.protocol.api.Notifications.RuleView.class);
    }

    public com.gururmm.protocol.api.Notifications.RuleView updateNotificationRule(UUID id,
            com.gururmm.protocol.api.Notifications.RuleRequest request) {
        return call("PATCH", "/api/notification-rules/" + id, request, com.gururmm.protocol.api.Notifications.RuleView.class);
    }

    public List<com.gururmm.protocol.api.Notifications.RuleView> notificationRules() {
        return call("GET", "/api/notification-rules", null, new TypeReference<List<com.gururmm.protocol.api.Notifications.RuleView>>() {
        });
    }

    public void deleteNotificationRule(UUID id) {
        call("DELETE", "/api/notification-rules/" + id, null, Void.class);
    }

    /** The delivery log, newest first; null filters match everything. */
    public List<com.gururmm.protocol.api.Notifications.DeliveryView> notificationDeliveries(UUID channel, UUID alert, String status) {
        StringBuilder q = new StringBuilder("/api/notification-deliveries?limit=1000");
        if (channel != null) {
            q.append("&channel=").append(channel);
        }
        if (alert != null) {
            q.append("&alert=").append(alert);
        }
        if (status != null) {
            q.append("&status=").append(java.net.URLEncoder.encode(status, java.nio.charset.StandardCharsets.UTF_8));
        }
        return call("GET", q.toString(), null, new TypeReference<List<com.gururmm.protocol.api.Notifications.DeliveryView>>() {
        });
    }

    // --- releases (docs/RELEASES.md) ---

    public List<ReleaseView> releases() {
        return call("GET", "/api/releases", null, new TypeReference<List<ReleaseView>>() {
        });
    }

    public ReleaseView latestRelease(String os, String arch, String channel) {
        return call("GET", "/api/releases/latest" + query(Map.of("os", os, "arch", arch, "channel", channel == null ? "" : channel)),
                null, ReleaseView.class);
    }

    public SigningKey releaseSigningKey() {
        return call("GET", "/api/releases/signing-key", null, SigningKey.class);
    }

    /** Uploads a build; {@code channel} null means the server's default (beta). */
    public ReleaseView publishRelease(String file, byte[] build, String channel) {
        return publish(file, channel, null, HttpRequest.BodyPublishers.ofByteArray(build));
    }

    /**
     * Streams a build from disk (builds may be hundreds of MiB, so it is never held in memory).
     * {@code sha256} (null to skip) makes the server refuse an upload damaged on the way.
     */
    public ReleaseView publishRelease(String file, Path build, String channel, String sha256) throws FileNotFoundException {
        return publish(file, channel, sha256, HttpRequest.BodyPublishers.ofFile(build));
    }

    private ReleaseView publish(String file, String channel, String sha256, HttpRequest.BodyPublisher body) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("file", file);
        params.put("channel", channel);
        params.put("sha256", sha256);
        // Expect: 100-continue, as for file uploads: a refused build (bad name, too large) is never sent.
        RawResponse response = send(binaryRequest("POST", "/api/releases" + query(params), body).expectContinue(true));
        if (response.status() >= 400) {
            throw error(response);
        }
        try {
            return MAPPER.readValue(response.body(), ReleaseView.class);
        } catch (JsonProcessingException e) {
            throw new GuruApiException(response.status(), "bad_response", "The server sent a response this client cannot read: " + e.getOriginalMessage());
        }
    }

    public ReleaseView setReleaseChannel(String file, String channel) {
        return call("POST", "/api/releases/" + file + "/channel", new ChannelRequest(channel), ReleaseView.class);
    }

    public ReleaseView setReleaseRollout(String file, Integer percent, Boolean paused) {
        return call("POST", "/api/releases/" + file + "/rollout", new RolloutRequest(percent, paused), ReleaseView.class);
    }

    public ReleaseView signRelease(String file) {
        return call("POST", "/api/releases/" + file + "/sign", null, ReleaseView.class);
    }

    public CleanupResult cleanupReleases(CleanupRequest request) {
        return call("POST", "/api/releases/cleanup", request, CleanupResult.class);
    }

    /** A raw exchange with a binary body ({@code application/octet-stream}). */
    // --- tunnel (interactive shell) ---

    public com.gururmm.protocol.api.Tunnel.SessionView openTunnel(UUID agentId, String context, int cols, int rows) {
        return call("POST", "/api/v1/tunnel/sessions", new com.gururmm.protocol.api.Tunnel.SessionRequest(agentId, context, cols, rows),
                com.gururmm.protocol.api.Tunnel.SessionView.class);
    }

    /** {@code GET /api/builds}: the release pipeline's builds, newest first. */
    public List<com.gururmm.protocol.api.Builds.BuildView> builds(int limit) {
        return call("GET", "/api/builds?limit=" + limit, null, new TypeReference<List<com.gururmm.protocol.api.Builds.BuildView>>() { });
    }

    /** {@code GET /api/builds/{id}}: one build with its manifest and the end of its log. */
    public com.gururmm.protocol.api.Builds.BuildView build(UUID id) {
        return call("GET", "/api/builds/" + id, null, com.gururmm.protocol.api.Builds.BuildView.class);
    }

    public List<com.gururmm.protocol.api.Tunnel.SessionView> tunnelSessions() {
        return call("GET", "/api/v1/tunnel/sessions", null, new TypeReference<List<com.gururmm.protocol.api.Tunnel.SessionView>>() { });
    }

    public com.gururmm.protocol.api.Tunnel.Ticket tunnelTicket(UUID sessionId) {
        return call("POST", "/api/v1/tunnel/sessions/" + sessionId + "/ticket", null, com.gururmm.protocol.api.Tunnel.Ticket.class);
    }

    /** The session's asciicast v2 transcript. */
    public String tunnelRecording(UUID sessionId) {
        RawResponse response = raw("GET", "/api/v1/tunnel/sessions/" + sessionId + "/recording", null, Map.of());
        if (response.status() != 200) {
            throw new GuruApiException(response.status(), "http_" + response.status(), response.body());
        }
        return response.body();
    }

    /** Attaches a terminal to the session's WebSocket with this client's token (see {@link TunnelClient}). */
    public TunnelClient attachTunnel(UUID sessionId, TunnelClient.Listener listener) {
        return TunnelClient.attach(http, baseUrl, token, sessionId, listener, true);
    }

    public RawResponse rawBytes(String method, String path, byte[] body) {
        return send(binaryRequest(method, path, HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private HttpRequest.Builder binaryRequest(String method, String path, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/octet-stream")
                .method(method, body);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private RawResponse send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new RawResponse(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new GuruApiException(0, "unreachable", "Cannot reach the server at " + baseUrl + ": " + reason(e) + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuruApiException(0, "interrupted", "Interrupted while calling " + baseUrl);
        }
    }

    // --- file transfer (POST|GET /api/agents/{id}/files?path=) ---

    /**
     * Uploads {@code file} to {@code path} on the agent, from byte {@code offset} of the file (0: the
     * whole file; more: continue an interrupted upload). {@code sha256} (or null) is the whole file's
     * hash, checked by the agent before the file is renamed into place; {@code progress} (or null)
     * hears the bytes of the file sent so far.
     */
    public com.gururmm.protocol.api.AgentFiles.Uploaded pushFile(UUID agentId, String path, java.nio.file.Path file, long offset,
                                                                 String sha256, java.util.function.LongConsumer progress) {
        long size;
        try {
            size = java.nio.file.Files.size(file);
        } catch (IOException e) {
            throw new GuruApiException(0, "local_file", "Cannot read " + file + ": " + e.getMessage());
        }
        long from = Math.min(Math.max(0, offset), size);
        HttpRequest.BodyPublisher body = size - from == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                java.io.InputStream in = java.nio.file.Files.newInputStream(file);
                in.skipNBytes(from);
                return new CountingInputStream(in, from, progress);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), size - from);
        // Expect: 100-continue: the server answers a refusal (wrong offset, agent offline, too large) before it reads a byte,
        // so the body is never sent. Without it the client streams the file into a connection the server has already
        // answered and closes, and the closing connection's reset can destroy the answer before this client reads it.
        RawResponse response = send(fileRequest("POST", filesPath(agentId, path, from, sha256), body).expectContinue(true));
        if (response.status() >= 400) {
            throw fileError(response);
        }
        try {
            return MAPPER.readValue(response.body(), com.gururmm.protocol.api.AgentFiles.Uploaded.class);
        } catch (JsonProcessingException e) {
            throw new GuruApiException(response.status(), "bad_response", "The server sent a response this client cannot read: " + e.getOriginalMessage());
        }
    }

    /**
     * Continues an interrupted upload of {@code file}: asks where the agent's part file ended (a
     * request with {@code offset} = the file's size and no body, which completes the upload if the
     * part file is already whole, else is answered 409 naming the offset) and sends the rest.
     */
    public com.gururmm.protocol.api.AgentFiles.Uploaded resumeFile(UUID agentId, String path, java.nio.file.Path file, String sha256,
                                                                   java.util.function.LongConsumer progress) {
        long size;
        try {
            size = java.nio.file.Files.size(file);
        } catch (IOException e) {
            throw new GuruApiException(0, "local_file", "Cannot read " + file + ": " + e.getMessage());
        }
        try {
            return size == 0 ? pushFile(agentId, path, file, 0, sha256, progress) : pushFile(agentId, path, file, size, sha256, progress);
        } catch (OffsetMismatchException e) {
            return pushFile(agentId, path, file, e.offset(), sha256, progress);
        }
    }

    /** A 409 {@code offset_mismatch}: the agent's part file holds {@link #offset()} bytes. */
    public static final class OffsetMismatchException extends RuntimeException {
        private final long offset;

        OffsetMismatchException(String message, long offset) {
            super(message);
            this.offset = offset;
        }

        public long offset() {
            return offset;
        }
    }

    /**
     * Downloads {@code path} from the agent into {@code out}, from byte {@code offset} (0: the whole
     * file). {@code sha256} (or null): the agent refuses (422) unless the file hashes to it. Returns
     * the whole file's size and SHA-256 as the agent computed them; the caller checks its copy
     * against them. A body shorter than announced is an error (status 0, {@code interrupted_transfer}).
     */
    public com.gururmm.protocol.api.AgentFiles.Downloaded pullFile(UUID agentId, String path, java.io.OutputStream out, long offset,
                                                                   String sha256, java.util.function.LongConsumer progress) {
        HttpRequest request = fileRequest("GET", filesPath(agentId, path, offset, sha256), HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<java.io.InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new GuruApiException(0, "unreachable", "Cannot reach the server at " + baseUrl + ": " + reason(e) + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuruApiException(0, "interrupted", "Interrupted while calling " + baseUrl);
        }
        try (java.io.InputStream in = response.body()) {
            if (response.statusCode() >= 400) {
                throw fileError(new RawResponse(response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8), response.headers()));
            }
            String hash = response.headers().firstValue(com.gururmm.protocol.api.AgentFiles.SHA256_HEADER).orElse("");
            long size = response.headers().firstValueAsLong(com.gururmm.protocol.api.AgentFiles.SIZE_HEADER).orElse(-1);
            long expected = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            long from = response.statusCode() == 206 ? offset : 0;
            byte[] buffer = new byte[64 * 1024];
            long got = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                got += n;
                if (progress != null) {
                    progress.accept(from + got);
                }
            }
            if (expected >= 0 && got != expected) {
                throw new GuruApiException(0, "interrupted_transfer", "The download ended after " + (from + got) + " of " + size
                        + " bytes; resume it from offset " + (from + got) + ".");
            }
            return new com.gururmm.protocol.api.AgentFiles.Downloaded(path, size, hash, from);
        } catch (IOException e) {
            throw new GuruApiException(0, "interrupted_transfer", "The download was interrupted: " + reason(e) + "; resume it with an offset.");
        }
    }

    private static String filesPath(UUID agentId, String path, long offset, String sha256) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("path", path);
        params.put("offset", offset > 0 ? Long.toString(offset) : null);
        params.put("sha256", sha256);
        return "/api/agents/" + agentId + "/files" + query(params);
    }

    private HttpRequest.Builder fileRequest(String method, String path, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(Duration.ofHours(12))
                .header("Content-Type", "application/octet-stream")
                .method(method, body);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private static RuntimeException fileError(RawResponse response) {
        GuruApiException e = error(response);
        if (response.status() == 409 && "offset_mismatch".equals(e.code())) {
            long offset = response.headers().firstValueAsLong(com.gururmm.protocol.api.AgentFiles.OFFSET_HEADER).orElse(0);
            return new OffsetMismatchException(e.getMessage(), offset);
        }
        return e;
    }

    /** Counts what the HTTP client reads of an upload, for progress. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        private final java.util.function.LongConsumer progress;
        private long count;

        CountingInputStream(java.io.InputStream in, long start, java.util.function.LongConsumer progress) {
            super(in);
            this.count = start;
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                moved(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                moved(n);
            }
            return n;
        }

        private void moved(int n) {
            count += n;
            if (progress != null) {
                progress.accept(count);
            }
        }
    }

    // --- plumbing ---

    /** A raw exchange, for callers (and tests) that need the status and body as they are. */
    public record RawResponse(int status, String body, java.net.http.HttpHeaders headers) {
        public RawResponse(int status, String body) {
            this(status, body, java.net.http.HttpHeaders.of(Map.of(), (name, value) -> true));
        }
    }

    public RawResponse raw(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(Duration.ofSeconds(60));
        headers.forEach(builder::header);
        if (token != null && !headers.containsKey("Authorization")) {
            builder.header("Authorization", "Bearer " + token);
        }
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null && !headers.containsKey("Content-Type")) {
            builder.header("Content-Type", "application/json");
        }
        return send(builder);
    }

    /** A refused connection carries no message; say what happened instead of "null". */
    private static String reason(IOException e) {
        if (e.getMessage() != null) {
            return e.getMessage();
        }
        return e instanceof java.net.ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }

    private <T> T call(String method, String path, Object body, Class<T> type) {
        return call(method, path, body, MAPPER.constructType(type));
    }

    private <T> T call(String method, String path, Object body, TypeReference<T> type) {
        return call(method, path, body, MAPPER.constructType(type));
    }

    private <T> T call(String method, String path, Object body, JavaType type) {
        String json;
        try {
            json = body == null ? null : MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode request body", e);
        }
        RawResponse response = raw(method, path, json, Map.of());
        if (response.status() >= 400) {
            throw error(response);
        }
        if (type.getRawClass() == Void.class || response.body().isEmpty()) {
            return null;
        }
        try {
            return MAPPER.readValue(response.body(), type);
        } catch (JsonProcessingException e) {
            throw new GuruApiException(response.status(), "bad_response", "The server sent a response this client cannot read: " + e.getOriginalMessage());
        }
    }

    private static GuruApiException error(RawResponse response) {
        try {
            ApiError error = MAPPER.readValue(response.body(), ApiError.class);
            return new GuruApiException(response.status(), error.error(), error.message());
        } catch (JsonProcessingException e) {
            return new GuruApiException(response.status(), "http_" + response.status(), response.body());
        }
    }

    private static String query(Map<String, String> params) {
        Map<String, String> present = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                present.put(k, v);
            }
        });
        if (present.isEmpty()) {
            return "";
        }
        return "?" + present.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}

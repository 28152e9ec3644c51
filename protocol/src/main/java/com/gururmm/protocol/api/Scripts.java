package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Bodies of the script library routes ({@code /api/scripts}, docs/OPERATIONS.md "Automation").
 * A script's parameters reach it as environment variables {@code GURURMM_PARAM_<NAME>} (the
 * parameter's name in upper case), never inside its text.
 */
public final class Scripts {
    /** Parameter types. */
    public static final List<String> PARAMETER_TYPES = List.of("string", "number", "boolean", "choice");
    /** What {@code supported_os} may list. */
    public static final List<String> OPERATING_SYSTEMS = List.of("linux", "windows", "macos");
    /** The prefix of the environment variable a parameter arrives in. */
    public static final String ENV_PREFIX = "GURURMM_PARAM_";

    private Scripts() {
    }

    /**
     * One typed parameter. {@code options} lists the allowed values of a {@code choice};
     * {@code defaultValue} (JSON {@code default}) is used when a run gives no value.
     */
    public record Parameter(String name, String type, Boolean required,
                            @com.fasterxml.jackson.annotation.JsonProperty("default") Object defaultValue,
                            List<String> options, String description) {
        public Parameter(String name, String type, Boolean required, Object defaultValue) {
            this(name, type, required, defaultValue, null, null);
        }
    }

    /**
     * {@code POST /api/scripts} and {@code PATCH /api/scripts/{id}} (null fields keep their value).
     * {@code command} is the script body; {@code supportedOs} null or empty means every OS.
     */
    public record ScriptRequest(String name, String description, String category, String commandType, String command,
                                List<Parameter> parameters, Integer timeoutSeconds, String context, List<String> supportedOs) {
        public ScriptRequest(String name, String commandType, String command, List<Parameter> parameters) {
            this(name, null, null, commandType, command, parameters, null, null, null);
        }
    }

    /** A script at one version ({@code GET /api/scripts/{id}} shows the current one). */
    public record ScriptView(UUID id, String name, String description, String category, String commandType, String command,
                             List<Parameter> parameters, int timeoutSeconds, String context, List<String> supportedOs,
                             int version, String createdBy, Instant createdAt, String updatedBy, Instant updatedAt) {
    }

    /** {@code GET /api/scripts/{id}/versions}: every version, newest first, with who made it. */
    public record VersionSummary(int version, String name, String createdBy, Instant createdAt) {
    }

    /**
     * {@code POST /api/scripts/{id}/run}: exactly one of {@code agentIds} and {@code filter}
     * ({@code {"site_id": ...}} or {@code {"client_id": ...}} for a site or a client).
     * {@code timeoutSeconds} and {@code context} override the script's defaults.
     */
    public record RunRequest(List<UUID> agentIds, Batches.AgentFilter filter, Map<String, Object> parameters,
                             Integer timeoutSeconds, String context) {
        public RunRequest(List<UUID> agentIds, Batches.AgentFilter filter, Map<String, Object> parameters) {
            this(agentIds, filter, parameters, null, null);
        }
    }

    /** What a run started: the batch ({@code GET /api/batches/{id}} has each agent's result) and the version that ran. */
    public record RunSubmitted(UUID batchId, int agentCount, UUID scriptId, int scriptVersion) {
    }

    /**
     * One run of a script ({@code GET /api/scripts/{id}/runs}); {@code scheduleId} is set when a
     * schedule started it. {@code parameters} are the values as the script received them.
     */
    public record RunView(UUID batchId, UUID scriptId, int scriptVersion, Map<String, String> parameters, UUID scheduleId,
                          String createdBy, Instant createdAt, int agentCount, Map<String, Integer> counts, boolean done) {
    }
}

package com.gururmm.protocol.api;

import java.util.UUID;

/** Shapes of file transfer, {@code POST|GET /api/agents/{id}/files?path=} (docs/OPERATIONS.md, "File transfer"). */
public final class AgentFiles {
    /** Response header of a download: lower-case hex SHA-256 of the whole file, as the agent computed it. */
    public static final String SHA256_HEADER = "X-GuruRMM-SHA256";
    /** Response header of a download: the whole file's length in bytes. */
    public static final String SIZE_HEADER = "X-GuruRMM-File-Size";
    /** Response header of a 409 {@code offset_mismatch}: where an interrupted upload continues (the part file's length). */
    public static final String OFFSET_HEADER = "X-GuruRMM-Offset";

    private AgentFiles() {
    }

    /**
     * Answer to an upload: the file on the agent is now {@code size} bytes hashing to {@code sha256}.
     * {@code offset} is where this request's bytes began (0 unless it resumed).
     */
    public record Uploaded(UUID agentId, String path, long size, String sha256, long offset) {
    }

    /** What a download delivered: the whole file's {@code size} and {@code sha256} (from the headers), and where the body began. */
    public record Downloaded(String path, long size, String sha256, long offset) {
    }
}

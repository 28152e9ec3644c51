package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.UUID;

/** Shapes of the tunnel (interactive shell) API, {@code /api/v1/tunnel/sessions}. */
public final class Tunnel {
    private Tunnel() {
    }

    /** {@code POST /api/v1/tunnel/sessions}. {@code context} defaults to {@code system}. */
    public record SessionRequest(UUID agentId, String context, Integer cols, Integer rows) {
    }

    /**
     * One session. {@code ticket} (only in the answer to its creation or to
     * {@code POST .../ticket}) authorizes one WebSocket upgrade within {@code ticketExpiresAt},
     * for clients that cannot send an {@code Authorization} header (browsers).
     */
    public record SessionView(UUID sessionId, UUID agentId, String hostname, String context, int cols, int rows,
                              String userName, String state, Instant createdAt, Instant endedAt, Integer exitCode,
                              String endReason, long bytesOut, long bytesIn, boolean recording, String websocketPath,
                              String ticket, Instant ticketExpiresAt, String tty) {
        public SessionView withTicket(String ticket, Instant expiresAt) {
            return new SessionView(sessionId, agentId, hostname, context, cols, rows, userName, state, createdAt, endedAt, exitCode,
                    endReason, bytesOut, bytesIn, recording, websocketPath, ticket, expiresAt, tty);
        }
    }

    /** {@code POST /api/v1/tunnel/sessions/{id}/ticket}. */
    public record Ticket(String ticket, Instant expiresAt, String websocketPath) {
    }
}

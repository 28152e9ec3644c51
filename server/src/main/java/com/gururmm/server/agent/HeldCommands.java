package com.gururmm.server.agent;

import java.time.Instant;
import java.util.UUID;

/**
 * The commands side of a re-enrolment, implemented over the commands table by the command
 * feature ({@code CommandStore}). Machine ids are not secret, so whoever enrolls as a known
 * machine may be an impostor: what was queued for the machine's previous identity is held for
 * an admin's decision instead of being handed to the new one.
 */
public interface HeldCommands {
    /**
     * Holds every command of agent {@code agentId} that its previous identity never started
     * (queued, or sent but not reported started); returns how many.
     */
    int holdPending(UUID agentId, String reason, Instant at);

    /** How many of the agent's commands are held, and the newest hold's reason (null when none). */
    Held held(UUID agentId);

    record Held(int count, String reason) {
    }
}

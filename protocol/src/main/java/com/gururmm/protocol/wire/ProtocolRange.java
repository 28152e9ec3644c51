package com.gururmm.protocol.wire;

import java.util.OptionalInt;

/**
 * The protocol versions one side can speak, and the rules for choosing one (docs/PROTOCOL.md,
 * "Versions and compatibility").
 *
 * <p>Within a version, changes are additive only: a new optional field (receivers ignore fields
 * they do not know, {@code FAIL_ON_UNKNOWN_PROPERTIES} is off in {@code Json}) or a new message
 * type whose loss the sender can live with (receivers ignore, or answer {@code refused
 * unknown_message_type} to, types they do not know, and keep the connection). Anything else
 * bumps {@link Wire#PROTOCOL_VERSION}.
 *
 * <p>The bootstrap frames stay decodable by every version, so an agent of any age can at least
 * be told what to do: {@code hello}, {@code welcome}, {@code refused} and {@code update_offer}.
 */
public record ProtocolRange(int min, int max) {
    public ProtocolRange {
        if (min < 0 || min > max) {
            throw new IllegalArgumentException("protocol range " + min + " to " + max + " is empty or negative");
        }
    }

    /** Parses {@code "min,max"}, or a single version. */
    public static ProtocolRange parse(String text) {
        String[] parts = text.trim().split("\\s*,\\s*");
        try {
            if (parts.length == 1) {
                int v = Integer.parseInt(parts[0]);
                return new ProtocolRange(v, v);
            }
            if (parts.length == 2) {
                return new ProtocolRange(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
        } catch (NumberFormatException e) {
            // fall through to the one error message
        }
        throw new IllegalArgumentException("'" + text + "' is not a protocol range; write min,max (e.g. 1,2)");
    }

    /** Below the range: the peer must update before it can be served. */
    public boolean tooOld(int version) {
        return version < min;
    }

    /** Above the range: the peer is newer than this side. */
    public boolean tooNew(int version) {
        return version > max;
    }

    /**
     * The version to speak with a peer that says {@code peerVersion} (the newest it speaks): the
     * lower of the two newest, if this side still speaks it.
     */
    public OptionalInt choose(int peerVersion) {
        int chosen = Math.min(peerVersion, max);
        return chosen >= min ? OptionalInt.of(chosen) : OptionalInt.empty();
    }

    @Override
    public String toString() {
        return min == max ? Integer.toString(min) : min + " to " + max;
    }
}

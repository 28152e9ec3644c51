package com.gururmm.protocol.wire;

import java.util.Optional;

/** A frame that is not a valid message of the protocol. */
public final class ProtocolException extends Exception {
    private final String unknownType;

    public ProtocolException(String message) {
        this(message, null);
    }

    private ProtocolException(String message, String unknownType) {
        super(message);
        this.unknownType = unknownType;
    }

    /** A well-formed frame whose {@code type} this build does not know (sent by a newer peer). */
    static ProtocolException unknownType(String type) {
        String shown = type.length() > 60 ? type.substring(0, 60) + "..." : type;
        return new ProtocolException("unknown message type '" + shown + "'", shown);
    }

    /**
     * The unknown {@code type} when the frame was otherwise well formed, so a receiver can ignore
     * a newer peer's additive message instead of treating it as garbage.
     */
    public Optional<String> unknownType() {
        return Optional.ofNullable(unknownType);
    }
}

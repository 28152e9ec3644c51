package com.gururmm.protocol.wire;

/** A frame that is not a valid message of the protocol. */
public final class ProtocolException extends Exception {
    public ProtocolException(String message) {
        super(message);
    }
}

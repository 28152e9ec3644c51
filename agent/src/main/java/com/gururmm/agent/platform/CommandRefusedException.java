package com.gururmm.agent.platform;

/** A command that cannot run here; the message becomes the command's failure reason. */
public final class CommandRefusedException extends Exception {
    public CommandRefusedException(String message) {
        super(message);
    }
}

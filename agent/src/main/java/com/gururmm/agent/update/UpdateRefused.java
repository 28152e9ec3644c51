package com.gururmm.agent.update;

/** The agent will not install an offered build; the message is the reason reported to the server. */
public final class UpdateRefused extends Exception {
    public UpdateRefused(String message) {
        super(message);
    }
}

package com.gururmm.agent.platform;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** What is known of a process that is already gone: nothing (for {@link Process#info()} of processes the agent starts itself). */
public final class UnknownProcessInfo implements ProcessHandle.Info {
    public static final ProcessHandle.Info INSTANCE = new UnknownProcessInfo();

    private UnknownProcessInfo() {
    }

    @Override
    public Optional<String> command() {
        return Optional.empty();
    }

    @Override
    public Optional<String> commandLine() {
        return Optional.empty();
    }

    @Override
    public Optional<String[]> arguments() {
        return Optional.empty();
    }

    @Override
    public Optional<Instant> startInstant() {
        return Optional.empty();
    }

    @Override
    public Optional<Duration> totalCpuDuration() {
        return Optional.empty();
    }

    @Override
    public Optional<String> user() {
        return Optional.empty();
    }
}

package com.gururmm.server.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The machine id of the host the server runs on, read as the Linux agent reads its own
 * ({@code /etc/machine-id}, else {@code /var/lib/dbus/machine-id}), so the host's agent is
 * recognised as the server host however it was installed (the server's local agent, or a
 * systemd service with {@code GURURMM_LOCAL_AGENT=off}). Other systems: empty, and only the
 * server-host enrollment token marks the host's agent.
 */
public final class HostMachineId {
    private HostMachineId() {
    }

    public static Optional<String> read() {
        return read(List.of(Path.of("/etc/machine-id"), Path.of("/var/lib/dbus/machine-id")));
    }

    static Optional<String> read(List<Path> candidates) {
        for (Path candidate : candidates) {
            try {
                if (Files.isRegularFile(candidate)) {
                    String id = Files.readString(candidate).trim();
                    if (!id.isEmpty()) {
                        return Optional.of(id);
                    }
                }
            } catch (IOException | SecurityException ignored) {
                // try the next source
            }
        }
        return Optional.empty();
    }
}

package com.gururmm.cli.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.protocol.Json;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code credentials.json} in the config dir: one saved login per server URL, and which
 * server was used last (the default for every command without {@code --server}).
 *
 * <p>The file holds bearer tokens, so it is only ever readable by its owner: it is written
 * to a temporary file created with mode 0600 and moved over the old one, so there is no
 * moment at which a token sits in a world-readable file or a half-written one.
 */
public final class CredentialStore {
    private static final ObjectMapper MAPPER = Json.mapper();
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path file;

    public CredentialStore(Path configDir) {
        this.file = configDir.resolve("credentials.json");
    }

    public Path file() {
        return file;
    }

    /** The file's content; both fields may be null/empty. */
    record Contents(String currentServer, Map<String, SavedLogin> servers) {
        Contents {
            servers = servers == null ? new LinkedHashMap<>() : new LinkedHashMap<>(servers);
        }
    }

    public Optional<String> currentServer() {
        return Optional.ofNullable(read().currentServer());
    }

    public Optional<SavedLogin> login(String server) {
        return Optional.ofNullable(read().servers().get(server));
    }

    /** Saves the login and makes its server the default. */
    public void save(String server, SavedLogin login) {
        Contents contents = read();
        contents.servers().put(server, login);
        write(new Contents(server, contents.servers()));
    }

    /** Forgets the server's login; true if there was one. */
    public boolean remove(String server) {
        Contents contents = read();
        boolean removed = contents.servers().remove(server) != null;
        String current = server.equals(contents.currentServer()) ? null : contents.currentServer();
        write(new Contents(current, contents.servers()));
        return removed;
    }

    private Contents read() {
        if (!Files.exists(file)) {
            return new Contents(null, null);
        }
        try {
            return MAPPER.readValue(file.toFile(), Contents.class);
        } catch (IOException e) {
            throw new CliException(ExitCode.NOT_LOGGED_IN, "Cannot read " + file + " (" + e.getMessage()
                    + "). Delete it and run 'gururmm login' again.");
        }
    }

    private void write(Contents contents) {
        try {
            Path dir = file.getParent();
            if (POSIX) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
            Path temp = POSIX
                    ? Files.createTempFile(dir, ".credentials", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".credentials", ".tmp");
            try {
                MAPPER.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), contents);
                move(temp);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new CliException(ExitCode.INTERNAL, "Cannot save the login to " + file + ": " + e.getMessage());
        }
    }

    private void move(Path temp) throws IOException {
        try {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

package com.gururmm.server.auth;

import com.gururmm.server.release.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HS256 key session tokens are signed with, kept in a file and never in the database: a
 * database dump or backup must not be enough to forge an admin token. Like the release key
 * ({@code release.ReleaseSigner}): by default {@code <data dir>/jwt-signing.key}, base64 of 32
 * random bytes, created on first start with mode 0600 from the moment the file exists (not
 * chmod-ed afterwards, so there is no instant in which another user could open it). A cluster
 * points every node at one shared file with {@code GURURMM_JWT_KEY_FILE}; that file must exist,
 * because a node that quietly made its own key would refuse every other node's tokens.
 */
public final class JwtKeyFile {
    private static final Logger log = LoggerFactory.getLogger(JwtKeyFile.class);
    static final int KEY_BYTES = 32;

    private JwtKeyFile() {
    }

    /** The key at {@code file}; created there if it does not exist and {@code mayCreate}. */
    public static byte[] load(Path file, boolean mayCreate) {
        return load(file, mayCreate, "session signing key", "GURURMM_JWT_KEY_FILE");
    }

    /**
     * The same for another 32-byte server key kept beside it (the MFA secret key): {@code what}
     * names it in messages, {@code variable} is the setting that points at a shared file.
     */
    public static byte[] load(Path file, boolean mayCreate, String what, String variable) {
        try {
            if (!Files.exists(file)) {
                if (!mayCreate) {
                    throw new IllegalStateException(variable + " points at " + file + ", which does not exist; create it with"
                            + " 'umask 077; head -c 32 /dev/urandom | base64 > " + file + "' (the same file on every node), or unset it.");
                }
                return create(file, what);
            }
            return read(file, what);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the " + what + " " + file, e);
        }
    }

    private static byte[] read(Path file, String what) throws IOException {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the " + what + " " + file + " is not base64; write 32 random bytes, base64-encoded");
        }
        if (key.length < KEY_BYTES) {
            throw new IllegalStateException("the " + what + " " + file + " holds " + key.length
                    + " bytes; it needs at least " + KEY_BYTES + " random bytes, base64-encoded");
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                log.warn("the {} {} is mode {}; anyone who can read it holds what it protects: chmod 600 it",
                        what, file, PosixFilePermissions.toString(mode));
            }
        } catch (UnsupportedOperationException ignored) {
            // Windows: the data dir's ACLs apply.
        }
        return key;
    }

    /**
     * Written to a private temp file, synced, then hard-linked into place: a link never replaces
     * an existing file, so two nodes starting at once on a shared directory agree on the first
     * key instead of one overwriting the other's.
     */
    private static byte[] create(Path file, String what) throws IOException {
        byte[] key = Secrets.randomBytes(KEY_BYTES);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = AtomicFiles.tempBeside(file);
        try {
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException windows) {
                Files.createFile(tmp);
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap((Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.createLink(file, tmp);
                AtomicFiles.syncDirectory(file.toAbsolutePath().getParent());
            } catch (FileAlreadyExistsException lostTheRace) {
                return read(file, what);
            } catch (UnsupportedOperationException noHardLinks) {
                AtomicFiles.moveIntoPlace(tmp, file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        log.info("created a new {} at {}", what, file);
        return key;
    }
}

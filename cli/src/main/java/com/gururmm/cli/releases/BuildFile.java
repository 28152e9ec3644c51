package com.gururmm.cli.releases;

import com.gururmm.cli.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A build on the local disk, checked before it is uploaded. */
final class BuildFile {
    private BuildFile() {
    }

    /** Fails with a usage error unless {@code path} is a readable, non-empty regular file. */
    static void check(Path path) {
        if (!Files.exists(path)) {
            throw CliException.usage("Build file '" + path + "' does not exist.");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw CliException.usage("Build file '" + path + "' is not a readable file.");
        }
        try {
            if (Files.size(path) == 0) {
                throw CliException.usage("Build file '" + path + "' is empty; that is not an agent build.");
            }
        } catch (IOException e) {
            throw CliException.usage("Cannot read build file '" + path + "': " + e.getMessage());
        }
    }

    /**
     * The file's SHA-256, sent with the upload so the server refuses bytes damaged on the way
     * instead of signing them.
     */
    static String sha256(Path path) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(path), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw CliException.usage("Cannot read build file '" + path + "': " + e.getMessage());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}

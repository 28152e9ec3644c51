package com.gururmm.server.release;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Durable, atomic changes in the downloads dir: write a temp file beside the target, fsync it,
 * rename it over the target, fsync the directory. A reader (an agent downloading, the scanner,
 * a crash in the middle) sees the old content or the new, never half a file. Temp names start
 * with a dot so they never look like a release. Also used for the server's key files.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static Path tempBeside(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    }

    static void writeString(Path target, String content) throws IOException {
        Path tmp = tempBeside(target);
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Renames a fully written and fsynced temp file over {@code target}, then syncs the directory. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.getParent());
    }

    /** Points {@code link} at {@code targetName} (relative, same dir) by renaming a fresh link over it. */
    static void replaceSymlink(Path link, String targetName) throws IOException {
        Path tmp = tempBeside(link);
        try {
            Files.createSymbolicLink(tmp, Path.of(targetName));
            moveIntoPlace(tmp, link);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows cannot open a directory; its renames are still atomic.
        }
    }
}

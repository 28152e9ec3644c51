package com.gururmm.server.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data dir holds everything that makes a user admin of the fleet: the embedded database,
 * the first admin's password, signing keys. It is the server user's alone: created 0700, its
 * files 0600, and a start on a data dir that other users can enter or read is refused, with
 * the fix in the message. The JVM cannot set its umask, so files that libraries create with it
 * (H2's database file, logs) are narrowed after creation by {@link #makePrivate}; while that
 * has not happened yet, the 0700 dir already keeps every other user out.
 *
 * <p>On a file system without POSIX permissions (Windows) nothing is checked or changed; the
 * dir's ACL applies, which is logged once.
 */
public final class DataDirectory {
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private DataDirectory() {
    }

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Creates {@code dataDir} 0700 if it is missing; refuses one that other users can access;
     * narrows what an earlier version left readable inside it, except {@code skip} (the
     * downloads dir: agent builds are public, and an operator may have put them there).
     */
    public static void prepare(Path dataDir, Path skip) {
        if (!posix()) {
            log.info("{} is not on a POSIX file system: its file modes are not checked; make sure only the server's user can read it",
                    dataDir);
            createPlain(dataDir);
            return;
        }
        try {
            if (Files.notExists(dataDir)) {
                Path parent = dataDir.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try {
                    Files.createDirectory(dataDir, PosixFilePermissions.asFileAttribute(DIR_MODE));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another process created it meanwhile: checked below like any existing dir
                }
                Files.setPosixFilePermissions(dataDir, DIR_MODE); // the umask may have narrowed it; never widened
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dataDir);
            if (mode.stream().anyMatch(OTHERS::contains)) {
                throw new ConfigException("The data dir " + dataDir + " is accessible to other users (mode "
                        + PosixFilePermissions.toString(mode) + "), and it holds the database, keys and the admin password. "
                        + "Make it private to the server's user with: chmod 700 " + dataDir
                        + " (the server then keeps its files 0600), or set GURURMM_DATA_DIR to a private directory.");
            }
            makePrivate(dataDir, skip);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or check " + dataDir + "; set GURURMM_DATA_DIR to a directory the server's user owns", e);
        }
    }

    /**
     * Takes every group and other permission off everything under {@code dir} (a 0644 file
     * becomes 0600, a 0755 dir 0700; the owner's bits stay), except {@code skip}'s subtree (may be null).
     */
    public static void makePrivate(Path dir, Path skip) {
        if (!posix() || Files.notExists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    if (skip != null && d.equals(skip) && !d.equals(dir)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    narrow(d, true);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        narrow(f, false);
                    }
                    return FileVisitResult.CONTINUE; // symlinks (the local agent's "current") carry no mode of their own
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE; // vanished meanwhile (a temp file)
                }
            });
        } catch (IOException e) {
            log.warn("could not make everything under {} private: {}", dir, e.toString());
        }
    }

    /** Takes group and other permissions off one file the server created (no-op without POSIX modes, or when it is gone). */
    public static void makeFilePrivate(Path file) {
        if (posix() && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            narrow(file, false);
        }
    }

    /** Takes group and other permissions off one directory (not its contents). */
    public static void makeDirectoryPrivate(Path dir) {
        if (posix() && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            narrow(dir, true);
        }
    }

    /** Creates {@code file} empty and 0600 if missing (a log a child process appends to), else narrows it. */
    public static void createPrivateFile(Path file) throws IOException {
        if (!posix()) {
            return;
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException exists) {
            narrow(file, false);
        }
    }

    private static void narrow(Path path, boolean directory) {
        try {
            Set<PosixFilePermission> current = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
            mode.addAll(directory ? DIR_MODE : current);
            mode.removeAll(OTHERS);
            if (!current.equals(mode)) {
                Files.setPosixFilePermissions(path, mode);
            }
        } catch (IOException | SecurityException e) {
            // Not ours to change (another user's file an operator put there): the 0700 dir still guards it.
            log.warn("could not make {} private ({}): the data dir's own mode still keeps other users out", path, e.toString());
        }
    }

    private static void createPlain(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + "; set GURURMM_DATA_DIR to a writable directory", e);
        }
    }
}

package com.gururmm.agent.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's state directory: identity, credentials, the command {@link Ledger} (journal and
 * result outbox). All writes are durable and atomic (temp file, fsync, rename, fsync the directory),
 * so a power cut leaves either the old or the new content, never half a file.
 *
 * <p>If the directory cannot be written, the agent does not quietly carry on with fresh
 * identities on every start (the cause of "ghost agents" in other RMMs): it logs an ERROR and
 * records a problem that is reported to the server as a health flag.
 */
public final class StateDir {
    private static final Logger log = LoggerFactory.getLogger(StateDir.class);

    /**
     * Every file the agent writes here is created 0600 (on POSIX), not chmod-ed after the fact:
     * results hold command output, and the credential and enrollment token are secrets.
     */
    private static final java.nio.file.attribute.FileAttribute<?>[] PRIVATE_FILE =
            java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? new java.nio.file.attribute.FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                    : new java.nio.file.attribute.FileAttribute<?>[0];

    private final Path root;
    private Ledger ledger;
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private FileChannel lockChannel;
    private FileLock lock;

    public StateDir(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path resolve(String name) {
        return root.resolve(name);
    }

    /** Once this agent version is confirmed (no update of it is still being watched): the ledger's old-layout files go. */
    public void retireOldCommandLayout() {
        ledger().retireOldLayout();
    }

    /** The one ledger of this directory, opened on first use: {@link Journal} and {@link Outbox} share it. */
    synchronized Ledger ledger() {
        if (ledger == null) {
            ledger = Ledger.open(this);
        }
        return ledger;
    }

    /** Creates the directory and its sub-directories; records a problem if that is impossible. */
    public void prepare() {
        try {
            Files.createDirectories(root);
            Files.createDirectories(root.resolve("work"));
            restrictToOwner(root);
            restrictOnWindows();
            Path probe = root.resolve(".write-probe");
            Files.writeString(probe, "ok");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            reportProblem("state directory " + root + " is not writable (" + e + "); identity and results cannot be persisted."
                    + " On Linux under systemd, make sure the unit has StateDirectory=gururmm.");
        }
    }

    /**
     * Takes an exclusive lock so two agents can never share one state dir (two would run the
     * same commands). Returns false if another process holds it.
     */
    public boolean lock() {
        try {
            lockChannel = FileChannel.open(root.resolve("agent.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
            if (lock == null) {
                lockChannel.close();
                return false;
            }
            lockChannel.truncate(0);
            lockChannel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)));
            return true;
        } catch (OverlappingFileLockException e) {
            return false;
        } catch (IOException e) {
            reportProblem("cannot lock " + root.resolve("agent.lock") + ": " + e.getMessage());
            return true; // cannot lock an unwritable dir; carry on and report it
        }
    }

    public void unlock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // process is exiting
        }
    }

    public void reportProblem(String problem) {
        if (!problems.contains(problem)) {
            problems.add(problem);
            log.error("STATE PROBLEM: {}", problem);
        }
    }

    public boolean writable() {
        return problems.isEmpty();
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    public Optional<String> read(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            log.warn("cannot read {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** Durably replaces {@code file} with {@code content}. */
    public void writeAtomically(Path file, String content, boolean secret) throws IOException {
        write(file, content, secret, true);
    }

    /**
     * Atomically replaces {@code file} without waiting for the disk: the new content survives the
     * agent's own death (it is in the kernel's page cache) but not necessarily a power cut. For
     * bookkeeping that can be rebuilt (which pid runs a command, that a command is done), never for
     * what guarantees at-most-once or no-loss (claims, results).
     */
    public void writeAtomicallyNoSync(Path file, String content) throws IOException {
        write(file, content, false, false);
    }

    private void write(Path file, String content, boolean secret, boolean durable) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), PRIVATE_FILE)) {
            if (secret) {
                // A temp file left over from a crash keeps its old mode; a secret gets 0600 regardless.
                restrictToOwner(tmp);
            }
            ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (durable) {
                channel.force(true);
            }
        }
        moveAtomically(tmp, file);
        if (durable) {
            syncDirectory(file.getParent());
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Attributes that create a file 0600 (POSIX; none elsewhere). */
    static java.nio.file.attribute.FileAttribute<?>[] privateFile() {
        return PRIVATE_FILE.clone();
    }

    static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not supported on every OS (Windows); the rename itself is still atomic there.
        }
    }

    /**
     * Windows: {@code %ProgramData%} lets every local user read, and create files in, its
     * sub-directories, which would expose the agent's credential and let a user plant files in
     * its update staging area. Replace the inherited ACL with SYSTEM and Administrators only
     * (well-known SIDs, so the call does not depend on the system language).
     * Not exercised on the Linux build machines; {@code icacls} is part of every Windows.
     */
    private void restrictOnWindows() {
        if (java.io.File.separatorChar != '\\') {
            return;
        }
        try {
            Process icacls = new ProcessBuilder("icacls", root.toString(), "/inheritance:r",
                    "/grant:r", "*S-1-5-18:(OI)(CI)F", "/grant:r", "*S-1-5-32-544:(OI)(CI)F")
                    .redirectErrorStream(true).start();
            String output = new String(icacls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (icacls.waitFor() != 0) {
                reportProblem("cannot restrict " + root + " to SYSTEM and Administrators: icacls said " + output.trim());
            }
        } catch (IOException e) {
            reportProblem("cannot restrict " + root + " to SYSTEM and Administrators: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void restrictToOwner(Path path) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwx------" : "rw-------"));
        } catch (UnsupportedOperationException | IOException ignored) {
            // Windows: ProgramData ACLs apply.
        }
    }
}

package com.gururmm.agent.files;

import com.gururmm.protocol.files.FileTransfer;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ServerMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of file transfer (docs/PROTOCOL.md, "File transfer").
 *
 * <p>Uploads are written to a part file next to the target ({@code .NAME.gururmm-part}, created
 * 0600 without following links), hashed as they are written and renamed over the target
 * atomically only once the size and SHA-256 match; a mismatch deletes the part file, so the
 * target is either the old file or the complete new one. An interrupted upload leaves the part
 * file, which a later {@code file_upload} with {@code offset} equal to its length continues.
 * Upload frames are handled on the link's inbound thread, in order.
 *
 * <p>Downloads are hashed whole first (so the server can send the SHA-256 before the bytes), then
 * streamed, both by a virtual thread of their own with at most {@code windowChunks} unacknowledged, and
 * hashed again on the way: a file that changed in between ends with {@code changed}.
 *
 * <p>With a confined root ({@code GURURMM_FILES_ROOT}), a path must stay inside it after {@code ..}
 * and every symbolic link is resolved (the parent directory's real path for an upload, the file's
 * for a download); a path with a {@code ..} segment is refused outright there.
 */
public final class FileTransfers {
    private static final Logger log = LoggerFactory.getLogger(FileTransfers.class);
    /** A transfer that hears nothing from the server for this long is dropped (its part file stays). */
    static final Duration IDLE = Duration.ofMinutes(2);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path root;
    private final Predicate<AgentMessage> send;
    private final Map<UUID, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<UUID, Download> downloads = new ConcurrentHashMap<>();

    /**
     * @param root the confined root directory, or null for none
     * @param send sends a message to the server; false when it could not
     */
    public FileTransfers(Path root, Predicate<AgentMessage> send) {
        this.root = root;
        this.send = send;
    }

    /** The configured root from the agent's settings ({@code GURURMM_FILES_ROOT}), or null. */
    public static Path rootFrom(Map<String, String> settings) {
        String value = settings.get("GURURMM_FILES_ROOT");
        if (value == null || value.isBlank()) {
            return null;
        }
        Path path = Path.of(value.trim());
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("GURURMM_FILES_ROOT is '" + value + "'; it must be an absolute directory path");
        }
        return path;
    }

    /** A refusal with its protocol code. */
    static final class Refusal extends Exception {
        final String code;
        final long offset;

        Refusal(String code, String message) {
            this(code, message, -1);
        }

        Refusal(String code, String message, long offset) {
            super(message);
            this.code = code;
            this.offset = offset;
        }
    }

    // ---- paths ------------------------------------------------------------------------------

    /** The target as given, checked: absolute, and inside the root (when one is set) once links are resolved. */
    Path resolve(String raw, boolean forWrite) throws Refusal {
        String problem = FileTransfer.pathProblem(raw);
        if (problem != null) {
            throw new Refusal("path_refused", problem);
        }
        Path path;
        try {
            path = Path.of(raw);
        } catch (RuntimeException e) {
            throw new Refusal("path_refused", "path '" + raw + "' is not a valid path on this machine");
        }
        if (!path.isAbsolute()) {
            throw new Refusal("path_refused", "path '" + raw + "' is not absolute on this machine");
        }
        if (root == null) {
            return path.normalize();
        }
        for (Path part : path) {
            if (part.toString().equals("..")) {
                throw new Refusal("path_refused", "path '" + raw + "' contains '..'; file transfer on this agent is confined to "
                        + root + " and accepts no parent references");
            }
        }
        Path realRoot;
        try {
            realRoot = root.toRealPath();
        } catch (IOException e) {
            throw new Refusal("path_refused", "the confined root " + root + " (GURURMM_FILES_ROOT) does not exist on this agent");
        }
        Path real;
        try {
            if (forWrite) {
                Path parent = path.getParent();
                if (parent == null) {
                    throw new Refusal("path_refused", "path '" + raw + "' has no parent directory");
                }
                real = parent.toRealPath().resolve(path.getFileName());
            } else {
                real = path.toRealPath();
            }
        } catch (NoSuchFileException e) {
            throw new Refusal("not_found", (forWrite ? "the directory of " : "") + "'" + raw + "' does not exist on this agent");
        } catch (IOException e) {
            throw new Refusal("io_error", "cannot resolve '" + raw + "': " + e.getMessage());
        }
        if (!real.startsWith(realRoot)) {
            throw new Refusal("path_refused", "path '" + raw + "' resolves to " + real + ", outside the confined root " + realRoot
                    + " (GURURMM_FILES_ROOT); symbolic links may not lead out of it");
        }
        return real;
    }

    // ---- uploads ----------------------------------------------------------------------------

    private static final class Upload {
        final UUID id;
        final Path target;
        final Path part;
        final FileChannel channel;
        final MessageDigest digest;
        final long size;
        final String expected;
        long written;
        volatile long lastHeard = System.nanoTime();

        Upload(UUID id, Path target, Path part, FileChannel channel, MessageDigest digest, long written, long size, String expected) {
            this.id = id;
            this.target = target;
            this.part = part;
            this.channel = channel;
            this.digest = digest;
            this.written = written;
            this.size = size;
            this.expected = expected;
        }
    }

    public void onUpload(ServerMessage.FileUpload request) {
        sweep();
        try {
            Path target = resolve(request.path(), true);
            Path parent = target.getParent();
            if (!Files.isDirectory(parent)) {
                throw new Refusal("not_found", "the directory " + parent + " does not exist on this agent; create it first");
            }
            if (Files.isDirectory(target)) {
                throw new Refusal("not_a_file", target + " is a directory on this agent");
            }
            Path part = parent.resolve("." + target.getFileName() + FileTransfer.PART_SUFFIX);
            for (Upload other : uploads.values()) {
                if (other.part.equals(part)) {
                    throw new Refusal("busy", "another upload to " + target + " is in progress on this agent");
                }
            }
            if (request.sha256() != null && FileTransfer.sha256Problem(request.sha256()) != null) {
                throw new Refusal("path_refused", FileTransfer.sha256Problem(request.sha256()));
            }
            MessageDigest digest = FileTransfer.sha256();
            FileChannel channel;
            long offset = request.offset();
            if (offset <= 0) {
                Files.deleteIfExists(part); // never follows a link: a planted symlink is removed, not written through
                channel = FileChannel.open(part, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS),
                        ownerOnly(part));
                offset = 0;
            } else {
                long have = Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS) ? Files.size(part) : 0;
                if (have != offset) {
                    throw new Refusal("offset_mismatch", "the part file for " + target + " holds " + have + " bytes, not " + offset
                            + "; continue from offset " + have, have);
                }
                try (InputStream in = Files.newInputStream(part, LinkOption.NOFOLLOW_LINKS)) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                    }
                }
                channel = FileChannel.open(part, Set.<OpenOption>of(StandardOpenOption.WRITE, StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS));
            }
            uploads.put(request.transferId(), new Upload(request.transferId(), target, part, channel, digest, offset, request.size(),
                    request.sha256() == null ? null : request.sha256().toLowerCase(java.util.Locale.ROOT)));
            send.test(new AgentMessage.FileReady(request.transferId(), target.toString(), offset, -1, null));
        } catch (Refusal r) {
            fail(request.transferId(), r);
        } catch (FileAlreadyExistsException e) {
            fail(request.transferId(), new Refusal("busy", "the part file " + e.getFile() + " appeared while the upload started; retry"));
        } catch (IOException | RuntimeException e) {
            fail(request.transferId(), new Refusal("io_error", "cannot write " + request.path() + ": " + e.getMessage()));
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path file) {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
    }

    public void onChunk(ServerMessage.FileChunk chunk) {
        Upload upload = uploads.get(chunk.transferId());
        if (upload == null) {
            fail(chunk.transferId(), new Refusal("io_error", "no upload " + chunk.transferId() + " is open on this agent"));
            return;
        }
        upload.lastHeard = System.nanoTime();
        try {
            if (chunk.offset() != upload.written) {
                throw new Refusal("offset_mismatch", "chunk at offset " + chunk.offset() + " but " + upload.written + " bytes are written",
                        upload.written);
            }
            byte[] data = chunk.data() == null ? new byte[0] : Base64.getDecoder().decode(chunk.data());
            if (upload.size >= 0 && upload.written + data.length > upload.size) {
                throw new Refusal("io_error", "more bytes arrived than the announced size of " + upload.size);
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                upload.channel.write(buffer);
            }
            upload.digest.update(data);
            upload.written += data.length;
            if (!chunk.last()) {
                send.test(new AgentMessage.FileChunkAck(upload.id, upload.written));
                return;
            }
            finish(upload);
        } catch (Refusal r) {
            abandon(upload, !"offset_mismatch".equals(r.code));
            fail(upload.id, r);
        } catch (IOException | RuntimeException e) {
            abandon(upload, false);
            fail(upload.id, new Refusal("io_error", "cannot write " + upload.part + ": " + e.getMessage()));
        }
    }

    private void finish(Upload upload) throws IOException, Refusal {
        uploads.remove(upload.id);
        upload.channel.force(true);
        upload.channel.close();
        String actual = HexFormat.of().formatHex(upload.digest.digest());
        if (upload.size >= 0 && upload.written != upload.size) {
            Files.deleteIfExists(upload.part);
            throw new Refusal("io_error", "received " + upload.written + " bytes, the announced size is " + upload.size
                    + "; nothing was written to " + upload.target);
        }
        if (upload.expected != null && !upload.expected.equals(actual)) {
            Files.deleteIfExists(upload.part);
            throw new Refusal("checksum_mismatch", "the received file hashes to " + actual + ", not the expected " + upload.expected
                    + "; nothing was written to " + upload.target);
        }
        if (Files.isRegularFile(upload.target, LinkOption.NOFOLLOW_LINKS)
                && upload.target.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            try {
                // Replacing a file keeps its mode; a new file stays 0600.
                Files.setPosixFilePermissions(upload.part, Files.getPosixFilePermissions(upload.target, LinkOption.NOFOLLOW_LINKS));
            } catch (IOException | UnsupportedOperationException ignored) {
                // keeps 0600
            }
        }
        Files.move(upload.part, upload.target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log.info("file transfer {}: wrote {} ({} bytes, sha256 {})", upload.id, upload.target, upload.written, actual);
        send.test(new AgentMessage.FileDone(upload.id, upload.target.toString(), upload.written, actual));
    }

    /** Closes an upload; the part file stays for a resume when {@code keepPartial}. */
    private void abandon(Upload upload, boolean keepPartial) {
        uploads.remove(upload.id);
        try {
            upload.channel.close();
            if (!keepPartial) {
                Files.deleteIfExists(upload.part);
            }
        } catch (IOException e) {
            log.warn("file transfer {}: cannot clean up {}: {}", upload.id, upload.part, e.toString());
        }
    }

    // ---- downloads --------------------------------------------------------------------------

    private static final class Download {
        final Object lock = new Object();
        long acked;
        volatile boolean cancelled;
        volatile long lastHeard = System.nanoTime();
    }

    /** Hashing a large file takes seconds: it runs on a thread of its own, never on the link's inbound thread. */
    public void onDownload(ServerMessage.FileDownload request) {
        sweep();
        Thread.ofVirtual().name("file-download-" + request.transferId()).start(() -> download(request));
    }

    private void download(ServerMessage.FileDownload request) {
        UUID id = request.transferId();
        try {
            Path file = resolve(request.path(), false);
            if (!Files.exists(file)) {
                throw new Refusal("not_found", "'" + request.path() + "' does not exist on this agent");
            }
            if (!Files.isRegularFile(file)) {
                throw new Refusal("not_a_file", "'" + request.path() + "' is not a regular file on this agent");
            }
            long size = Files.size(file);
            String sha = hash(file, Long.MAX_VALUE);
            if (request.sha256() != null && !request.sha256().equalsIgnoreCase(sha)) {
                throw new Refusal("checksum_mismatch", file + " hashes to " + sha + ", not the expected " + request.sha256());
            }
            long offset = Math.max(0, request.offset());
            if (offset > size) {
                throw new Refusal("offset_mismatch", "offset " + offset + " is past the end of " + file + " (" + size + " bytes)", size);
            }
            Download download = new Download();
            download.acked = offset;
            downloads.put(id, download);
            if (!send.test(new AgentMessage.FileReady(id, file.toString(), offset, size, sha))) {
                downloads.remove(id);
                return;
            }
            int chunk = Math.clamp(request.chunkBytes() <= 0 ? FileTransfer.CHUNK_BYTES : request.chunkBytes(), 1024, FileTransfer.CHUNK_BYTES);
            int window = Math.clamp(request.windowChunks() <= 0 ? FileTransfer.WINDOW_CHUNKS : request.windowChunks(), 1, 16);
            stream(id, download, file, offset, size, sha, chunk, window);
        } catch (Refusal r) {
            fail(id, r);
        } catch (IOException | RuntimeException e) {
            fail(id, new Refusal("io_error", "cannot read " + request.path() + ": " + e.getMessage()));
        }
    }

    private void stream(UUID id, Download download, Path file, long offset, long size, String sha, int chunk, int window) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest digest = FileTransfer.sha256();
            ByteBuffer buffer = ByteBuffer.allocate(chunk);
            long position = 0;
            while (position < size) {
                buffer.clear();
                buffer.limit((int) Math.min(chunk, size - position));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new Refusal("changed", file + " shrank while it was sent; download it again");
                }
                digest.update(buffer.array(), 0, n);
                if (position + n > offset) {
                    int skip = (int) Math.max(0, offset - position);
                    synchronized (download.lock) {
                        while (!download.cancelled && position + n - download.acked > (long) window * chunk) {
                            download.lock.wait(1000);
                            if (System.nanoTime() - download.lastHeard > IDLE.toNanos()) {
                                throw new Refusal("io_error", "the server acknowledged nothing for " + IDLE.toSeconds() + " s");
                            }
                        }
                    }
                    if (download.cancelled) {
                        return;
                    }
                    String data = Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(buffer.array(), skip, n));
                    if (!send.test(new AgentMessage.FileData(id, position + skip, data))) {
                        return; // link down: the server ends the transfer
                    }
                }
                position += n;
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(sha)) {
                throw new Refusal("changed", file + " changed while it was sent (it now hashes to " + actual + "); download it again");
            }
            send.test(new AgentMessage.FileDone(id, file.toString(), size, sha));
        } catch (Refusal r) {
            fail(id, r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            fail(id, new Refusal("io_error", "cannot read " + file + ": " + e.getMessage()));
        } finally {
            downloads.remove(id);
        }
    }

    public void onDataAck(ServerMessage.FileDataAck ack) {
        Download download = downloads.get(ack.transferId());
        if (download != null) {
            synchronized (download.lock) {
                download.acked = Math.max(download.acked, ack.offset());
                download.lastHeard = System.nanoTime();
                download.lock.notifyAll();
            }
        }
    }

    public void onCancel(ServerMessage.FileCancel cancel) {
        Upload upload = uploads.get(cancel.transferId());
        if (upload != null) {
            log.info("file transfer {} cancelled by the server: {}", cancel.transferId(), cancel.reason());
            abandon(upload, cancel.keepPartial());
        }
        Download download = downloads.get(cancel.transferId());
        if (download != null) {
            synchronized (download.lock) {
                download.cancelled = true;
                download.lock.notifyAll();
            }
        }
    }

    /** Drops uploads the server forgot (a lost connection): their part files stay for a resume. */
    void sweep() {
        long now = System.nanoTime();
        for (Upload upload : uploads.values()) {
            if (now - upload.lastHeard > IDLE.toNanos()) {
                log.info("file transfer {}: nothing heard for {} s; keeping {} for a resume", upload.id, IDLE.toSeconds(), upload.part);
                abandon(upload, true);
            }
        }
    }

    /** Ends every transfer (agent stopping); part files stay. */
    public void stopAll() {
        uploads.values().forEach(u -> abandon(u, true));
        downloads.values().forEach(d -> {
            synchronized (d.lock) {
                d.cancelled = true;
                d.lock.notifyAll();
            }
        });
    }

    private static String hash(Path file, long limit) throws IOException {
        MessageDigest digest = FileTransfer.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            long left = limit;
            for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
                digest.update(buffer, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private void fail(UUID id, Refusal r) {
        log.info("file transfer {} refused: {} ({})", id, r.getMessage(), r.code);
        send.test(new AgentMessage.FileError(id, r.code, r.getMessage(), r.offset));
    }
}

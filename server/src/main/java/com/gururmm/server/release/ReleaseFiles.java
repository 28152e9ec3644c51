package com.gururmm.server.release;

import com.gururmm.protocol.release.ReleaseName;
import com.gururmm.server.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change this server makes to the downloads dir: publish a build with its sidecars,
 * re-tag, re-sign, delete, and keep the {@code -latest} links right. Each file is written
 * temp-fsync-rename ({@link AtomicFiles}), and a build's sidecars are in place before the build
 * itself appears, so the scanner never sees a build without its hash. Mutations are serialised
 * by the monitor; operators editing sidecars by hand at the same time is fine (last write wins).
 */
final class ReleaseFiles {
    private static final Logger log = LoggerFactory.getLogger(ReleaseFiles.class);
    /** Largest build accepted: far above a shaded agent jar, far below filling a disk by accident. */
    static final long MAX_BUILD_BYTES = 512L * 1024 * 1024;
    private static final Pattern LATEST_LINK = Pattern.compile("gururmm-agent-(windows|linux|macos)-(amd64|arm64|386)-latest(\\.exe|\\.jar|\\.zip|\\.tar\\.gz)?");

    private final Path dir;
    private final ReleaseSigner signer;

    ReleaseFiles(Path dir, ReleaseSigner signer) {
        this.dir = dir;
        this.signer = signer;
    }

    /**
     * Streams {@code body} into place as {@code name} with its {@code .sha256}, {@code .channel}
     * and {@code .sig}. {@code declaredLength} (-1 if unknown) and {@code expectedSha256} (null if
     * not given) catch truncated uploads. Returns the SHA-256.
     */
    synchronized String publish(ReleaseName name, InputStream body, long declaredLength, String expectedSha256, String channel)
            throws IOException {
        Path target = dir.resolve(name.fileName());
        if (Files.exists(target)) {
            throw ApiException.conflict(name.fileName() + " is already published; publish a higher version, or remove it first with cleanup.");
        }
        Path tmp = AtomicFiles.tempBeside(target);
        List<Path> sidecars = List.of(sidecar(target, ".sha256"), sidecar(target, ".channel"), sidecar(target, ".sig"));
        boolean done = false;
        try {
            String sha256 = receive(body, tmp, declaredLength, expectedSha256, name);
            AtomicFiles.writeString(sidecars.get(0), sha256 + "  " + name.fileName() + "\n");
            AtomicFiles.writeString(sidecars.get(1), channel + "\n");
            AtomicFiles.writeString(sidecars.get(2), signer.sign(name, sha256) + "\n");
            try {
                Files.createLink(target, tmp); // fails if the name appeared meanwhile (e.g. a hand copy)
            } catch (FileAlreadyExistsException e) {
                throw ApiException.conflict(name.fileName() + " appeared in the downloads dir while uploading; publish a higher version.");
            } catch (UnsupportedOperationException e) {
                AtomicFiles.moveIntoPlace(tmp, target);
            }
            AtomicFiles.syncDirectory(dir);
            done = true;
            return sha256;
        } finally {
            Files.deleteIfExists(tmp);
            if (!done) {
                for (Path sidecar : sidecars) {
                    Files.deleteIfExists(sidecar);
                }
            }
        }
    }

    private static String receive(InputStream body, Path tmp, long declaredLength, String expectedSha256, ReleaseName name) throws IOException {
        MessageDigest digest = sha256();
        long total = 0;
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) > 0; ) {
                total += n;
                if (total > MAX_BUILD_BYTES) {
                    throw ApiException.tooLarge("The build is larger than " + MAX_BUILD_BYTES + " bytes; agent builds are far smaller, check the file.");
                }
                out.write(buffer, 0, n);
            }
            out.flush();
            channel.force(true);
        } catch (IOException e) {
            throw ApiException.badRequest("The upload of " + name.fileName() + " broke off after " + total + " bytes (" + e.getMessage()
                    + "); nothing was published. Upload it again.");
        }
        if (total == 0) {
            throw ApiException.badRequest("The request body is empty; send the build's bytes as the body (Content-Type: application/octet-stream).");
        }
        if (declaredLength >= 0 && total != declaredLength) {
            throw ApiException.badRequest("The upload of " + name.fileName() + " is truncated: " + total + " of " + declaredLength
                    + " bytes arrived; nothing was published. Upload it again.");
        }
        String sha256 = HexFormat.of().formatHex(digest.digest());
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha256)) {
            throw ApiException.badRequest("The uploaded bytes hash to " + sha256 + ", not the sha256 " + expectedSha256
                    + " you sent; the upload is damaged or the wrong file. Nothing was published.");
        }
        return sha256;
    }

    synchronized void writeChannel(ReleaseName name, String channel) throws IOException {
        AtomicFiles.writeString(sidecar(dir.resolve(name.fileName()), ".channel"), channel + "\n");
    }

    synchronized void writeSignature(ReleaseName name, String sha256) throws IOException {
        AtomicFiles.writeString(sidecar(dir.resolve(name.fileName()), ".sig"), signer.sign(name, sha256) + "\n");
    }

    /** Copies an installer into place (temp file, fsync, rename) with its {@code .sha256}; refuses a taken name. */
    synchronized String publishInstaller(String fileName, Path source) throws IOException {
        Path target = dir.resolve(fileName);
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw ApiException.conflict(fileName + " is already in the downloads dir; build a higher version.");
        }
        Path tmp = AtomicFiles.tempBeside(target);
        try {
            MessageDigest digest = sha256();
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                try (OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest)) {
                    Files.copy(source, out);
                    channel.force(true);
                }
            }
            String sha256 = java.util.HexFormat.of().formatHex(digest.digest());
            AtomicFiles.writeString(sidecar(target, ".sha256"), sha256 + "  " + fileName + "\n");
            AtomicFiles.moveIntoPlace(tmp, target);
            return sha256;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    synchronized void deleteInstaller(String fileName) throws IOException {
        Path target = dir.resolve(fileName);
        Files.deleteIfExists(target);
        Files.deleteIfExists(sidecar(target, ".sha256"));
        AtomicFiles.syncDirectory(dir);
    }

    /** Removes the build first (so it stops being offered at once), then its sidecars. */
    synchronized void delete(ReleaseName name) throws IOException {
        Path target = dir.resolve(name.fileName());
        Files.deleteIfExists(target);
        for (String suffix : List.of(".sha256", ".channel", ".sig")) {
            Files.deleteIfExists(sidecar(target, suffix));
        }
        AtomicFiles.syncDirectory(dir);
    }

    /**
     * Points each {@code gururmm-agent-{os}-{arch}-latest{ext}} link at the newest build of that
     * platform and extension, and removes links whose builds are all gone. Regular files with a
     * link's name are an operator's and are left alone.
     */
    synchronized void relinkLatest(ReleaseCatalog catalog) throws IOException {
        Map<String, String> wanted = new HashMap<>();
        for (Release release : catalog.releases()) {
            // releases() is sorted newest first within a platform: the first per link name wins.
            wanted.putIfAbsent(release.name().latestLinkName(), release.file());
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path path : entries) {
                String fileName = path.getFileName().toString();
                if (LATEST_LINK.matcher(fileName).matches() && Files.isSymbolicLink(path) && !wanted.containsKey(fileName)) {
                    Files.deleteIfExists(path);
                }
            }
        }
        for (Map.Entry<String, String> link : wanted.entrySet()) {
            Path path = dir.resolve(link.getKey());
            if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(path)) {
                log.warn("downloads: {} is a regular file, not a link; leaving it (remove it to have the server maintain the link)", path);
                continue;
            }
            if (Files.isSymbolicLink(path) && Files.readSymbolicLink(path).toString().equals(link.getValue())) {
                continue;
            }
            AtomicFiles.replaceSymlink(path, link.getValue());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static Path sidecar(Path binary, String suffix) {
        return binary.resolveSibling(binary.getFileName() + suffix);
    }
}

package com.gururmm.server.release;

import com.gururmm.protocol.Checksums;

import com.gururmm.protocol.release.ReleaseName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the downloads dir into a {@link ReleaseCatalog} (SPEC section 6).
 *
 * <p>Live without a restart: {@link #catalog()} rescans when the last scan is older than
 * {@code maxAge} (a second by default), so a sidecar edited by hand, a file added or removed,
 * is seen within about a second. A scan lists the directory and reads the small sidecars; the
 * binaries' SHA-256 is computed once per (name, size, modification time) and cached, so
 * rescanning is cheap and a binary swapped behind its sidecar is still caught.
 *
 * <p>Threads: scans are serialised by the monitor; readers get an immutable snapshot.
 */
public final class DownloadsScanner {
    private static final Logger log = LoggerFactory.getLogger(DownloadsScanner.class);
    private static final Pattern SHA256_LINE = Pattern.compile("([0-9a-fA-F]{64})(?:\\s+\\*?(\\S.*))?");
    private static final Set<String> CHANNELS = Set.of("stable", "beta");

    private final Path dir;
    private final ReleaseSigner signer;
    private final Clock clock;
    private final Duration maxAge;
    private final Map<String, CachedHash> hashes = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private ReleaseCatalog current;
    private Instant scannedAt = Instant.MIN;

    public DownloadsScanner(Path dir, ReleaseSigner signer, Clock clock, Duration maxAge) {
        this.dir = dir;
        this.signer = signer;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    public Path dir() {
        return dir;
    }

    /** The current catalog, rescanned if older than {@code maxAge}. */
    public synchronized ReleaseCatalog catalog() {
        Instant now = clock.instant();
        if (current == null || !scannedAt.plus(maxAge).isAfter(now)) {
            current = scan();
            scannedAt = now;
        }
        return current;
    }

    /** Rescans now: after this server itself changed the directory. */
    public synchronized ReleaseCatalog refresh() {
        scannedAt = Instant.MIN;
        return catalog();
    }

    private ReleaseCatalog scan() {
        List<Release> releases = new ArrayList<>();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path path : entries) {
                String fileName = path.getFileName().toString();
                ReleaseName name = ReleaseName.parse(fileName).orElse(null);
                if (name == null || !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // installers, -latest links, sidecars, temp files
                }
                seen.add(fileName);
                Release release = read(path, name);
                if (release != null) {
                    releases.add(release);
                }
            }
        } catch (NoSuchFileException e) {
            warnOnce("downloads dir " + dir + " does not exist; create it or set DOWNLOADS_DIR");
        } catch (IOException e) {
            warnOnce("cannot list the downloads dir " + dir + ": " + e.getMessage());
        }
        hashes.keySet().retainAll(seen);
        return new ReleaseCatalog(releases);
    }

    private Release read(Path path, ReleaseName name) {
        String file = path.getFileName().toString();
        List<String> problems = new ArrayList<>();
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String channel = readChannel(path, file, problems);
            String sha256 = readSha256(path, file, attrs, problems);
            String signature = readSidecar(path, ".sig");
            boolean signed = false;
            if (signature == null) {
                problems.add(file + " has no .sig signature, so agents will refuse it; publish it through the API or sign it with POST /api/releases/" + file + "/sign.");
            } else if (sha256 != null) {
                signed = signer.verify(name, sha256, signature.trim());
                if (!signed) {
                    problems.add(file + ".sig does not verify with this server's release key; re-sign it (POST /api/releases/" + file + "/sign).");
                }
            }
            problems.forEach(this::warnOnce);
            return new Release(name, channel, sha256, attrs.size(), signature == null ? null : signature.trim(), signed, List.copyOf(problems));
        } catch (NoSuchFileException e) {
            return null; // removed while we looked: it is simply not there
        } catch (IOException e) {
            warnOnce("cannot read " + path + ": " + e.getMessage());
            return null;
        }
    }

    private String readChannel(Path path, String file, List<String> problems) throws IOException {
        String raw = readSidecar(path, ".channel");
        if (raw == null) {
            return "stable";
        }
        String word = raw.trim().toLowerCase(Locale.ROOT);
        if (!CHANNELS.contains(word)) {
            String shown = word.length() > 20 ? word.substring(0, 20) : word;
            problems.add(file + ".channel contains '" + shown + "', not stable or beta; the build is treated as not stable"
                    + " (only beta agents get it). Write stable or beta into it.");
            return shown.isEmpty() ? "invalid" : shown;
        }
        return word;
    }

    private String readSha256(Path path, String file, BasicFileAttributes attrs, List<String> problems) throws IOException {
        String raw = readSidecar(path, ".sha256");
        if (raw == null) {
            problems.add(file + " has no .sha256 sidecar, so it is never offered; write one with: sha256sum " + file + " > " + file + ".sha256");
            return null;
        }
        String firstLine = raw.strip().lines().findFirst().orElse("");
        Matcher m = SHA256_LINE.matcher(firstLine);
        if (!m.matches()) {
            problems.add(file + ".sha256 is not in sha256sum format (64 hex digits, then the file name); the build is never offered until it is fixed.");
            return null;
        }
        String named = m.group(2) == null ? null : Path.of(m.group(2).trim()).getFileName().toString();
        if (named != null && !named.equals(file)) {
            problems.add(file + ".sha256 names '" + named + "', not " + file + "; the build is never offered until it is fixed.");
            return null;
        }
        String declared = m.group(1).toLowerCase(Locale.ROOT);
        String actual = hashOf(path, attrs);
        if (!declared.equals(actual)) {
            problems.add(file + " does not match its .sha256 (file " + actual + ", sidecar " + declared
                    + "); it may be truncated or tampered with, so it is never offered. Re-publish it.");
            return null;
        }
        return declared;
    }

    private String hashOf(Path path, BasicFileAttributes attrs) throws IOException {
        String key = path.getFileName().toString();
        CachedHash cached = hashes.get(key);
        long modified = attrs.lastModifiedTime().toMillis();
        if (cached != null && cached.size == attrs.size() && cached.modifiedMillis == modified) {
            return cached.sha256;
        }
        String sha256 = sha256(path);
        hashes.put(key, new CachedHash(attrs.size(), modified, sha256));
        return sha256;
    }

    static String sha256(Path path) throws IOException {
        return Checksums.sha256Hex(path);
    }

    /** A small sidecar's text, or null if absent. Oversized sidecars are not sidecars. */
    private static String readSidecar(Path binary, String suffix) throws IOException {
        Path sidecar = binary.resolveSibling(binary.getFileName() + suffix);
        try {
            if (Files.size(sidecar) > 4096) {
                return "";
            }
            return Files.readString(sidecar, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void warnOnce(String problem) {
        if (warned.add(problem)) {
            log.warn("downloads: {}", problem);
        }
    }

    private record CachedHash(long size, long modifiedMillis, String sha256) {
    }
}

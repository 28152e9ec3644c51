package com.gururmm.protocol.files;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Shared rules of file transfer between server and agent (docs/PROTOCOL.md, "File transfer"):
 * the chunk and window sizes, the part file's name, and what a path must look like before
 * either side touches the file system.
 */
public final class FileTransfer {
    /** Decoded bytes per chunk: 256 KiB, about 350 KB of JSON frame once base64-encoded (well under the frame limit). */
    public static final int CHUNK_BYTES = 256 * 1024;
    /** Unacknowledged chunks either sender may have in flight: 1 MiB, the most a transfer holds in server memory. */
    public static final int WINDOW_CHUNKS = 4;
    /** Longest path accepted (bytes of UTF-16 text; Linux PATH_MAX is 4096). */
    public static final int MAX_PATH_CHARS = 4096;
    /** Suffix of the part file written next to an upload's target and renamed over it when complete. */
    public static final String PART_SUFFIX = ".gururmm-part";

    private FileTransfer() {
    }

    /**
     * Why {@code path} cannot name a file to transfer, or null if it can: it must be absolute
     * (a Unix {@code /...} path, or a Windows drive or UNC path), free of NUL and control characters,
     * and not end with a separator.
     */
    public static String pathProblem(String path) {
        if (path == null || path.isEmpty()) {
            return "path is required: the absolute path of the file on the agent, e.g. path=/tmp/report.txt";
        }
        if (path.length() > MAX_PATH_CHARS) {
            return "path is " + path.length() + " characters long; at most " + MAX_PATH_CHARS + " are accepted";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == 0) {
                return "path contains a NUL character, which no file name can hold";
            }
            if (c < 0x20 || c == 0x7f) {
                return "path contains the control character U+" + String.format(Locale.ROOT, "%04X", (int) c) + "; file names here may not";
            }
        }
        boolean unix = path.startsWith("/");
        boolean windows = path.length() >= 3 && Character.isLetter(path.charAt(0)) && path.charAt(1) == ':'
                && (path.charAt(2) == '\\' || path.charAt(2) == '/');
        boolean unc = path.startsWith("\\\\");
        if (!unix && !windows && !unc) {
            return "path '" + path + "' is not absolute; give the full path, e.g. /tmp/report.txt or C:\\Temp\\report.txt";
        }
        if (path.endsWith("/") || path.endsWith("\\")) {
            return "path '" + path + "' names a directory; give the path of a file";
        }
        return null;
    }

    /** Null if {@code sha256} is 64 hex digits, else why not. */
    public static String sha256Problem(String sha256) {
        if (sha256 == null || !sha256.matches("[0-9a-fA-F]{64}")) {
            return "sha256 must be 64 hex digits (the SHA-256 of the whole file), got '"
                    + (sha256 == null ? "" : sha256.length() > 80 ? sha256.substring(0, 80) + "..." : sha256) + "'";
        }
        return null;
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}

package com.gururmm.protocol.release;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of an agent build in the downloads directory (SPEC section 6):
 * {@code gururmm-agent-{os}-{arch}-{version}{ext}}, e.g. {@code gururmm-agent-linux-amd64-0.8.0.jar}.
 * Anything else in the directory (installers, {@code -latest} links, sidecars) is not a release.
 */
public record ReleaseName(String os, String arch, Version version, String ext) {
    public static final List<String> OS_NAMES = List.of("windows", "linux", "macos");
    public static final List<String> ARCH_NAMES = List.of("amd64", "arm64", "386");
    /** Longest first is irrelevant here: the pattern anchors at the end of the name. */
    public static final List<String> EXTENSIONS = List.of("", ".exe", ".jar", ".zip", ".tar.gz");
    private static final Pattern NAME = Pattern.compile(
            "gururmm-agent-(windows|linux|macos)-(amd64|arm64|386)-(" + Version.FILE_PATTERN + ")(\\.exe|\\.jar|\\.zip|\\.tar\\.gz)?");

    public static Optional<ReleaseName> parse(String fileName) {
        if (fileName == null) {
            return Optional.empty();
        }
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        // Only canonical versions (no leading zeros): the name must round-trip, because the
        // signature covers the version as text.
        return Version.parse(m.group(3))
                .map(v -> new ReleaseName(m.group(1), m.group(2), v, m.group(4) == null ? "" : m.group(4)))
                .filter(name -> name.fileName().equals(fileName));
    }

    public String fileName() {
        return "gururmm-agent-" + os + "-" + arch + "-" + version + ext;
    }

    /** {@code os-arch}, the unit a channel tag and the "latest" link apply to. */
    public String platform() {
        return os + "-" + arch;
    }

    /** The per-platform link SPEC section 6 asks for: {@code gururmm-agent-{os}-{arch}-latest{ext}}. */
    public String latestLinkName() {
        return "gururmm-agent-" + os + "-" + arch + "-latest" + ext;
    }
}

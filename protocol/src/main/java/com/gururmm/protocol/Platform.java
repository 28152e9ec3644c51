package com.gururmm.protocol;

import java.util.Locale;

/** Normalised operating-system and architecture names as used in the API and the downloads dir. */
public final class Platform {
    private Platform() {
    }

    /** {@code windows}, {@code linux} or {@code macos} for the given {@code os.name}. */
    public static String osName(String javaOsName) {
        String os = javaOsName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return "windows";
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "macos";
        }
        return "linux";
    }

    /** {@code amd64}, {@code arm64} or {@code 386} for the given {@code os.arch}. */
    public static String archName(String javaArch) {
        String arch = javaArch.toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64", "x64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "386";
            default -> arch;
        };
    }

    public static String currentOs() {
        return osName(System.getProperty("os.name"));
    }

    public static String currentArch() {
        return archName(System.getProperty("os.arch"));
    }
}

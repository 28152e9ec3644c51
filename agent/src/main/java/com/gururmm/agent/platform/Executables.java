package com.gururmm.agent.platform;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Finds interpreters on the PATH (and in a few well-known places services often lack on PATH). */
public final class Executables {
    private Executables() {
    }

    public static Optional<Path> find(String name, List<String> extraDirs) {
        String path = System.getenv().getOrDefault("PATH", "");
        boolean windows = File.separatorChar == '\\';
        List<String> suffixes = windows ? List.of(".exe", ".cmd", ".bat", "") : List.of("");
        for (String dir : concat(path.split(File.pathSeparator), extraDirs)) {
            if (dir.isBlank()) {
                continue;
            }
            for (String suffix : suffixes) {
                Path candidate = Path.of(dir, name + suffix);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> concat(String[] a, List<String> b) {
        var out = new java.util.ArrayList<>(List.of(a));
        out.addAll(b);
        return out;
    }
}

package com.gururmm.agent.update;

import com.gururmm.protocol.release.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Deletes old builds under {@code <state dir>/versions/} so a machine that updates for years does
 * not keep every jar it ever ran.
 *
 * <p>Kept: the current version; the previous one (the newest older than current that never
 * failed here, i.e. the one the agent came from), because it is what a rollback of the current
 * one restores; every version newer than current, because the running agent may have just
 * installed it and be about to switch (a rolled-back newer build is removed once something newer
 * than it becomes current). Left alone: the {@code current}
 * pointer, dot-named entries (installs in progress) and anything whose name is not a release
 * version (this code does not know what it is, so it does not delete it).
 */
final class VersionPruner {
    private VersionPruner() {
    }

    /**
     * Returns the names of the version directories it deleted.
     *
     * @param bad versions that failed on this machine ({@code update/bad-versions}): never kept as the previous
     */
    static List<String> prune(Path versions, String current, Set<String> bad) throws IOException {
        Version currentVersion = Version.parse(current).orElse(Version.parseLenient(current));
        List<Installed> older = new ArrayList<>();
        try (Stream<Path> entries = Files.list(versions)) {
            for (Path dir : entries.filter(Files::isDirectory).toList()) {
                String name = dir.getFileName().toString();
                if (name.startsWith(".") || name.equals(current)) {
                    continue;
                }
                Version.parse(name).filter(currentVersion::isNewerThan).ifPresent(v -> older.add(new Installed(v, dir)));
            }
        }
        older.sort(Comparator.comparing(Installed::version).reversed());
        Optional<Installed> previous = older.stream().filter(i -> !bad.contains(i.dir().getFileName().toString())).findFirst();
        List<String> deleted = new ArrayList<>();
        for (Installed old : older) {
            if (previous.isPresent() && previous.get().equals(old)) {
                continue;
            }
            Launcher.Installer.deleteTree(old.dir());
            deleted.add(old.dir().getFileName().toString());
        }
        return deleted;
    }

    private record Installed(Version version, Path dir) {
    }
}

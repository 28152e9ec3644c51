package com.gururmm.cli.releases;

import com.gururmm.cli.CliException;
import com.gururmm.protocol.release.ReleaseName;
import com.gururmm.protocol.release.Version;
import java.util.Comparator;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks a build's name before anything is sent, and says which part is wrong (the server only
 * says the whole name is bad). The rules are the server's own ({@link ReleaseName}, SPEC section 6),
 * so the CLI can never accept a name the server would refuse, or the other way round.
 */
final class ReleaseFileNames implements ITypeConverter<ReleaseName> {
    private static final String PREFIX = "gururmm-agent-";
    private static final String EXAMPLE = "e.g. gururmm-agent-linux-amd64-1.2.3.jar";

    @Override
    public ReleaseName convert(String value) {
        return parse(value);
    }

    /** The name, or a {@link TypeConversionException} (a usage error) saying what to fix. */
    static ReleaseName parse(String name) {
        return ReleaseName.parse(name).orElseThrow(() -> new TypeConversionException(explain(name)));
    }

    /** For names checked after parsing (e.g. taken from a path): the same message as a usage error. */
    static ReleaseName require(String name) {
        return ReleaseName.parse(name).orElseThrow(() -> CliException.usage(explain(name)));
    }

    static String explain(String name) {
        if (!name.startsWith(PREFIX)) {
            return "'" + name + "' is not an agent build name: it must be gururmm-agent-{os}-{arch}-{version}{ext}, " + EXAMPLE + ".";
        }
        // Longest extension first, so ".tar.gz" is not mistaken for a version ending in ".tar".
        String ext = ReleaseName.EXTENSIONS.stream().sorted(Comparator.comparingInt(String::length).reversed())
                .filter(name::endsWith).findFirst().orElse("");
        String[] parts = name.substring(PREFIX.length(), name.length() - ext.length()).split("-", 3);
        if (!ReleaseName.OS_NAMES.contains(parts[0])) {
            return "'" + name + "': os '" + parts[0] + "' is not one of " + String.join(", ", ReleaseName.OS_NAMES) + " (" + EXAMPLE + ").";
        }
        if (parts.length < 2 || !ReleaseName.ARCH_NAMES.contains(parts[1])) {
            return "'" + name + "': arch '" + (parts.length < 2 ? "" : parts[1]) + "' is not one of "
                    + String.join(", ", ReleaseName.ARCH_NAMES) + " (" + EXAMPLE + ").";
        }
        String version = parts.length < 3 ? "" : parts[2];
        if (Version.parse(version).isEmpty()) {
            return "'" + name + "': '" + version + "' is not a version: use numbers and dots without leading zeros, optionally -rc1,"
                    + " followed by nothing, .exe, .jar, .zip or .tar.gz (" + EXAMPLE + ").";
        }
        // Parses piece by piece but not as a whole: a non-canonical spelling such as "1.02".
        return "'" + name + "' is not a canonical build name: write the version without leading zeros (" + EXAMPLE + ").";
    }
}

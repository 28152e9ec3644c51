package com.gururmm.server.release;

import com.gururmm.server.http.ApiException;
import com.gururmm.server.auth.Role;
import com.gururmm.server.routing.AccessFilter;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * {@code GET /downloads/{file}}: agent builds, sidecars and installers from the downloads dir.
 *
 * <p>Auth (its {@link Rule}): an agent's own credential ({@code Authorization: Bearer <agent token>} plus
 * {@code X-GuruRMM-Agent-Id}) or a user's bearer token. Not anonymous: integrity does not depend
 * on it (agents verify hash and signature), or a usable enrollment token for Linux agent builds and
 * their {@code .sha256} only (what {@code /install.sh} fetches), but an open endpoint would let anyone enumerate and
 * pull the builds and burn the server's bandwidth. See docs/RELEASES.md.
 *
 * <p>Names are a single plain segment ({@code [A-Za-z0-9][A-Za-z0-9._+-]*}), resolved inside the
 * directory and checked again after following links, so {@code ..}, absolute paths and links
 * pointing out of the directory are refused. Supports one {@code Range} (RFC 9110 section 14) so
 * an interrupted download resumes instead of starting over; {@link ByteRange} decides what a
 * header asks for, so no header value can end in a 500.
 */
public final class DownloadRoutes {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,250}");

    /** What install.sh fetches: a Linux agent build and its checksum, nothing else in the directory. */
    private static final Pattern ENROLLMENT_FILES = Pattern.compile("gururmm-agent-linux-(amd64|arm64|386)-[A-Za-z0-9.+-]+(\\.jar|\\.tar\\.gz)(\\.sha256)?");

    private final Path dir;

    DownloadRoutes(Path dir) {
        this.dir = dir;
    }

    public void register(RouteTable routes) {
        routes.get("/downloads/{file}", Rule.role(Role.VIEWER).orAgentCredential().orCredential(InstallRoutes.ENROLLMENT_CREDENTIAL),
                "Download an agent build or sidecar (Range supported)", this::serve);
    }

    private void serve(Context ctx) throws IOException {
        String name = ctx.pathParam("file");
        if (!NAME.matcher(name).matches() || name.contains("..")) {
            throw ApiException.badRequest("'" + (name.length() > 80 ? name.substring(0, 80) + "..." : name)
                    + "' is not a file name in the downloads dir; ask for a plain name such as gururmm-agent-linux-amd64-1.2.0.jar.");
        }
        if (InstallRoutes.ENROLLMENT_CREDENTIAL.equals(AccessFilter.credentialUsed(ctx)) && !ENROLLMENT_FILES.matcher(name).matches()) {
            // A token handed to a machine that is not yet enrolled reaches what install.sh fetches, nothing more.
            throw ApiException.forbidden("An enrollment token downloads only Linux agent builds and their .sha256; " + name + " needs a user's credential.");
        }
        Path file;
        try {
            Path root = dir.toRealPath();
            file = root.resolve(name).toRealPath();
            if (!file.getParent().equals(root) || !Files.isRegularFile(file)) {
                throw new NoSuchFileException(name);
            }
        } catch (NoSuchFileException e) {
            throw new ApiException(404, "not_found", "No file " + name + " is in the downloads dir; GET /api/releases lists the builds.");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long start = 0;
            long length = size;
            String range = ctx.header("Range");
            switch (ByteRange.of(range, size)) {
                case ByteRange.Whole whole -> {
                    // no Range, or one RFC 9110 lets us ignore (garbage, several ranges): send it all
                }
                case ByteRange.Part part -> {
                    start = part.start();
                    length = part.length();
                    ctx.status(206);
                    ctx.header("Content-Range", "bytes " + part.start() + "-" + part.end() + "/" + size);
                }
                case ByteRange.Unsatisfiable none -> {
                    ctx.header("Content-Range", "bytes */" + size);
                    throw new ApiException(416, "range_not_satisfiable", "The range " + clip(range) + " selects no byte of " + name
                            + " (" + size + " bytes); ask for a range that starts below " + size + " and does not end before it starts.");
                }
            }
            ctx.header("Accept-Ranges", "bytes");
            ctx.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
            ctx.res().setContentType("application/octet-stream");
            ctx.res().setContentLengthLong(length);
            OutputStream out = ctx.res().getOutputStream();
            var sink = Channels.newChannel(out);
            long position = start;
            long remaining = length;
            while (remaining > 0) {
                long sent = channel.transferTo(position, remaining, sink);
                if (sent <= 0) {
                    break;
                }
                position += sent;
                remaining -= sent;
            }
            out.flush();
        }
    }

    /** The header is echoed in the error, so an absurdly long one is shortened. */
    private static String clip(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}

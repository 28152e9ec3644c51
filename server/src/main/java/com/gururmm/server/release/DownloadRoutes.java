package com.gururmm.server.release;

import com.gururmm.server.http.ApiException;
import com.gururmm.server.auth.Role;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /downloads/{file}}: agent builds, sidecars and installers from the downloads dir.
 *
 * <p>Auth (its {@link Rule}): an agent's own credential ({@code Authorization: Bearer <agent token>} plus
 * {@code X-GuruRMM-Agent-Id}) or a user's bearer token. Not anonymous: integrity does not depend
 * on it (agents verify hash and signature), but an open endpoint would let anyone enumerate and
 * pull the builds and burn the server's bandwidth. See docs/RELEASES.md.
 *
 * <p>Names are a single plain segment ({@code [A-Za-z0-9][A-Za-z0-9._+-]*}), resolved inside the
 * directory and checked again after following links, so {@code ..}, absolute paths and links
 * pointing out of the directory are refused. Supports one {@code Range} (RFC 9110 section 14) so
 * an interrupted download resumes instead of starting over.
 */
public final class DownloadRoutes {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,250}");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final Path dir;

    DownloadRoutes(Path dir) {
        this.dir = dir;
    }

    public void register(RouteTable routes) {
        routes.get("/downloads/{file}", Rule.role(Role.VIEWER).orAgentCredential(), "Download an agent build or sidecar (Range supported)", this::serve);
    }

    private void serve(Context ctx) throws IOException {
        String name = ctx.pathParam("file");
        if (!NAME.matcher(name).matches() || name.contains("..")) {
            throw ApiException.badRequest("'" + (name.length() > 80 ? name.substring(0, 80) + "..." : name)
                    + "' is not a file name in the downloads dir; ask for a plain name such as gururmm-agent-linux-amd64-1.2.0.jar.");
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
            long end = size - 1;
            String range = ctx.header("Range");
            if (range != null) {
                Matcher m = RANGE.matcher(range.trim());
                if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                    if (m.group(1).isEmpty()) {
                        start = Math.max(0, size - Long.parseLong(m.group(2)));
                    } else {
                        start = Long.parseLong(m.group(1));
                        end = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
                    }
                    if (start >= size || start > end) {
                        ctx.header("Content-Range", "bytes */" + size);
                        throw new ApiException(416, "range_not_satisfiable", "The range " + range + " is outside " + name + " (" + size
                                + " bytes); resume from a byte below " + size + ".");
                    }
                    ctx.status(206);
                    ctx.header("Content-Range", "bytes " + start + "-" + end + "/" + size);
                } // several ranges or garbage: RFC 9110 lets us ignore the header and send it all
            }
            long length = size == 0 ? 0 : end - start + 1;
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
}

package com.gururmm.server.files;

import com.gururmm.protocol.api.AgentFiles;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.cluster.OnOtherNode;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.http.UploadBody;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import io.javalin.http.Context;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST|GET /api/agents/{id}/files?path=} (SPEC "Further routes"): upload to and download
 * from an agent. Technicians and up, within their scope; the server host's own agent is
 * admin-only (the {@code onAgent} rule). The body of an upload is the file's raw bytes
 * ({@code application/octet-stream}), never buffered whole; see {@link FileTransferService}.
 */
public final class FileRoutes {
    private static final Logger log = LoggerFactory.getLogger(FileRoutes.class);
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-");
    private final FileTransferService service;

    public FileRoutes(FileTransferService service) {
        this.service = service;
    }

    public void register(RouteTable routes) {
        routes.post("/api/agents/{id}/files", Rule.role(Role.TECHNICIAN).onAgent("id"),
                "Upload the request body (raw bytes) to ?path= on the agent; ?sha256= (optional) is checked before the file is"
                        + " renamed into place; ?offset= continues an interrupted upload", this::upload);
        routes.get("/api/agents/{id}/files", Rule.role(Role.TECHNICIAN).onAgent("id"),
                "Download ?path= from the agent; X-GuruRMM-SHA256 carries the file's SHA-256; ?offset= or Range: bytes=N- resumes",
                this::download);
    }

    private void upload(Context ctx) {
        UUID agentId = Bodies.uuidParam(ctx, "id");
        String path = Bodies.query(ctx, "path");
        long offset = offset(ctx, false);
        long length = ctx.req().getContentLengthLong();
        // Opened at the first read, once the agent is ready: a refusal before that (wrong offset, agent offline)
        // reaches a client that sent Expect: 100-continue before it sends a byte.
        UploadBody body = new UploadBody(ctx);
        try {
            AgentFiles.Uploaded result = service.upload(Access.principal(ctx), agentId, path, offset, Bodies.query(ctx, "sha256"), length, body);
            ctx.status(201).json(result);
        } catch (OnOtherNode elsewhere) {
            throw elsewhere; // passed on to that node with the body unread: this connection stays usable
        } catch (RuntimeException e) {
            if (e instanceof FileTransferService.OffsetMismatch mismatch) {
                ctx.header(AgentFiles.OFFSET_HEADER, Long.toString(mismatch.offset()));
            }
            // The client may still be sending the body: it is read before the answer, or the connection closed.
            body.discardUnread();
            throw e;
        }
    }

    private void download(Context ctx) {
        UUID agentId = Bodies.uuidParam(ctx, "id");
        String path = Bodies.query(ctx, "path");
        long offset = offset(ctx, true);
        try {
            service.download(Access.principal(ctx), agentId, path, offset, Bodies.query(ctx, "sha256"), (resolved, size, sha256, from) -> {
                ctx.status(from > 0 ? 206 : 200);
                ctx.contentType("application/octet-stream");
                ctx.header(AgentFiles.SHA256_HEADER, sha256);
                ctx.header(AgentFiles.SIZE_HEADER, Long.toString(size));
                ctx.header("Accept-Ranges", "bytes");
                ctx.header("Content-Disposition", "attachment; filename=\"" + fileName(resolved) + "\"");
                if (from > 0) {
                    ctx.header("Content-Range", "bytes " + from + "-" + (size - 1) + "/" + size);
                }
                ctx.res().setContentLengthLong(size - from);
                OutputStream out = ctx.res().getOutputStream();
                return out;
            });
        } catch (FileTransferService.DownloadAborted e) {
            // Headers and part of the body are out: the short body (less than Content-Length) is what the client sees.
            // Jetty ends a response short of its Content-Length by aborting the connection, so the client cannot mistake it for the file.
            log.info("download from agent {} aborted: {}", agentId, e.getMessage());
        } catch (FileTransferService.OffsetMismatch e) {
            ctx.header(AgentFiles.OFFSET_HEADER, Long.toString(e.offset()));
            throw e;
        }
    }

    /** {@code ?offset=}, or for a download {@code Range: bytes=N-} (the only range form served). */
    private static long offset(Context ctx, boolean rangeAllowed) {
        String raw = Bodies.query(ctx, "offset");
        if (raw != null && !raw.isBlank()) {
            try {
                long value = Long.parseLong(raw.trim());
                if (value >= 0) {
                    return value;
                }
            } catch (NumberFormatException ignored) {
                // the error below
            }
            throw ApiException.badRequest("offset must be a whole number of bytes, 0 or more; got '" + Bodies.truncate(raw) + "'.");
        }
        String range = rangeAllowed ? ctx.header("Range") : null;
        if (range != null && !range.isBlank()) {
            Matcher m = RANGE.matcher(range.trim());
            if (!m.matches()) {
                throw new ApiException(416, "range_not_satisfiable", "Only 'Range: bytes=N-' (the rest of the file from byte N) is served;"
                        + " got '" + Bodies.truncate(range) + "'.");
            }
            return Long.parseLong(m.group(1));
        }
        return 0;
    }

    /** The last path element, reduced to characters safe in a quoted header value. */
    static String fileName(String path) {
        String name = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            out.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
        }
        return out.isEmpty() ? "file" : out.toString();
    }
}

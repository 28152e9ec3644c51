package com.gururmm.protocol.tunnel;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.wire.ProtocolException;

/**
 * The JSON text frames of a tunnel (interactive shell) WebSocket, in both of its legs: the
 * client's ({@code /api/v1/tunnel/sessions/{id}}, browser or CLI to server) and the agent's
 * ({@code /api/agent/tunnel/{id}}, agent to server). Binary frames carry the terminal bytes;
 * these carry everything else (docs/PROTOCOL.md, "Tunnel").
 *
 * <p>Sequencing: each direction's byte stream is numbered by byte offset from the session's
 * start. {@code seq} fields are offsets: "every byte before this one".
 *
 * <p>Flow control (credit): the agent may have at most {@code window} output bytes that the
 * client has not {@link Ack acknowledged}; the server keeps exactly those bytes as the replay
 * buffer, so a client that reattaches with {@link Attach#lastSeq()} loses nothing, and a fast
 * producer stalls at the PTY instead of growing the server's memory.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = TunnelControl.Attach.class, name = "attach"),
        @JsonSubTypes.Type(value = TunnelControl.Attached.class, name = "attached"),
        @JsonSubTypes.Type(value = TunnelControl.Resize.class, name = "resize"),
        @JsonSubTypes.Type(value = TunnelControl.Ack.class, name = "ack"),
        @JsonSubTypes.Type(value = TunnelControl.Ready.class, name = "ready"),
        @JsonSubTypes.Type(value = TunnelControl.Exit.class, name = "exit"),
        @JsonSubTypes.Type(value = TunnelControl.Close.class, name = "close"),
        @JsonSubTypes.Type(value = TunnelControl.Error.class, name = "error"),
})
public sealed interface TunnelControl {
    /** Largest terminal size either side accepts. */
    int MAX_COLS = 1000;
    int MAX_ROWS = 1000;
    /** Largest binary frame (terminal bytes) either side sends or accepts. */
    int MAX_BINARY_FRAME = 64 * 1024;
    /** Largest text (control) frame accepted. */
    int MAX_TEXT_FRAME = 4 * 1024;

    /**
     * Client to server, the first frame on every (re)connection: {@code lastSeq} output bytes were
     * received already (0 on the first attach). The server answers {@link Attached} and then
     * replays the output from there.
     */
    record Attach(long lastSeq) implements TunnelControl {
    }

    /**
     * Server to client: attached. Output bytes that follow start at offset {@code replayFrom};
     * the server has received {@code inputSeq} input bytes (a client resends what it sent after that).
     */
    record Attached(String sessionId, long replayFrom, long outputSeq, long inputSeq, int cols, int rows) implements TunnelControl {
    }

    /** Client to server to agent: the terminal's size changed. */
    record Resize(int cols, int rows) implements TunnelControl {
    }

    /** Client to server (and server to agent): every output byte before {@code seq} was received; it may be forgotten. */
    record Ack(long seq) implements TunnelControl {
    }

    /** Agent to server: the shell runs on {@code tty} (a pty name, or "conpty" on Windows) as process {@code pid}. */
    record Ready(long pid, String tty) implements TunnelControl {
    }

    /**
     * Agent to server to client: the session ended. {@code code} is the shell's exit status
     * (null when it did not exit by itself: closed, idle timeout, lost agent); {@code reason} says why.
     */
    record Exit(Integer code, String reason) implements TunnelControl {
    }

    /** Client to server, server to agent: end the session now (the shell's process tree is killed). */
    record Close(String reason) implements TunnelControl {
    }

    /** Either way: a frame was refused, or the session could not start; {@code error} is a code, {@code message} a sentence. */
    record Error(String error, String message) implements TunnelControl {
    }

    ObjectMapper MAPPER = Json.mapper();

    static String encode(TunnelControl message) {
        try {
            return MAPPER.writerFor(TunnelControl.class).writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    static TunnelControl decode(String frame) throws ProtocolException {
        if (frame == null || frame.isBlank()) {
            throw new ProtocolException("empty control frame");
        }
        if (frame.length() > MAX_TEXT_FRAME) {
            throw new ProtocolException("control frame over " + MAX_TEXT_FRAME + " bytes");
        }
        try {
            TunnelControl message = MAPPER.readValue(frame, TunnelControl.class);
            if (message == null) {
                throw new ProtocolException("control frame is JSON null");
            }
            return message;
        } catch (JsonProcessingException e) {
            throw new ProtocolException("malformed control frame: " + e.getOriginalMessage());
        }
    }

    /** Null when {@code cols}×{@code rows} is a usable terminal size, else the sentence saying why not. */
    static String sizeProblem(int cols, int rows) {
        if (cols < 1 || cols > MAX_COLS) {
            return "cols must be between 1 and " + MAX_COLS + "; got " + cols + ".";
        }
        if (rows < 1 || rows > MAX_ROWS) {
            return "rows must be between 1 and " + MAX_ROWS + "; got " + rows + ".";
        }
        return null;
    }
}

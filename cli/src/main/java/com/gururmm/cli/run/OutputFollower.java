package com.gururmm.cli.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.output.RemoteOutput;
import com.gururmm.client.EventStream;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.CommandStatus;
import com.gururmm.protocol.api.Commands.CommandView;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.UUID;

/**
 * {@code run --follow} on one agent: the remote stdout and stderr are printed to this process's
 * stdout and stderr as the agent streams them ({@code GET /api/commands/{id}/output?follow=true}),
 * and when the command is final, whatever of the stored result was not printed live.
 *
 * <p>Exactly once: each stream tracks the text it printed. A chunk is printed only when its
 * {@code offset} is where that stream's printed text ends; a chunk further on means chunks were
 * lost (the agent's link dropped), and that stream prints nothing more live. At the end the
 * stored result is compared with what was printed: it starts with it (live output is a prefix of
 * what the agent kept), so only the rest is printed: the part after a gap, after the agent's or
 * the server's streaming cap, after a dropped backlog, or all of it when the agent streams
 * nothing (an older agent). A dropped connection to the server is resumed from the last seq.
 */
final class OutputFollower {
    /** How long to wait for an event before re-opening a stream that may be silently gone. */
    private static final Duration QUIET = Duration.ofSeconds(60);

    private final GuruClient client;
    private final Terminal terminal;
    private final boolean raw;
    private final Stream out;
    private final Stream err;

    /** What one remote stream has printed here. */
    private static final class Stream {
        final PrintWriter writer;
        final boolean toTerminal;
        final StringBuilder printed = new StringBuilder();
        boolean inSync = true;

        Stream(PrintWriter writer, boolean toTerminal) {
            this.writer = writer;
            this.toTerminal = toTerminal;
        }
    }

    OutputFollower(GuruClient client, Terminal terminal, boolean raw) {
        this.client = client;
        this.terminal = terminal;
        this.raw = raw;
        this.out = new Stream(terminal.out(), terminal.outIsTerminal());
        this.err = new Stream(terminal.err(), terminal.errIsTerminal());
    }

    /** Prints the command's output as it comes; returns the final command, its remaining output printed too. */
    CommandView follow(UUID commandId) {
        long after = 0;
        boolean ended = false;
        try {
            while (!ended) {
                EventStream events = client.followOutput(commandId, after);
                try {
                    while (true) {
                        EventStream.Event event = events.next(QUIET);
                        if (event == null) {
                            break; // ended by the server or a network fault, or quiet for long: resume from `after`
                        }
                        switch (event.type()) {
                            case "output" -> after = Math.max(after, print(event.data()));
                            case "end" -> ended = true;
                            case "unauthorized" -> throw new CliException(ExitCode.NOT_LOGGED_IN,
                                    "The server ended the output stream: " + event.data().path("message").asText("signed out")
                                            + ". Log in again (gururmm login).");
                            default -> {
                                // A newer server's event: nothing for this client.
                            }
                        }
                        if (ended) {
                            break;
                        }
                    }
                } finally {
                    events.close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while following the command's output", e);
        }
        CommandView view = client.command(commandId);
        // "end" comes only for a final command; read until the stored one says so (it is the same row).
        while (!CommandStatus.parse(view.status()).map(CommandStatus::isTerminal).orElse(true)) {
            view = client.command(commandId, 25);
        }
        printRest(out, view.stdout());
        printRest(err, view.stderr());
        return view;
    }

    /** Prints one chunk if it continues its stream; returns its seq. */
    private long print(JsonNode chunk) {
        Stream stream = "stderr".equals(chunk.path("stream").asText()) ? err : out;
        String data = chunk.path("data").asText("");
        long offset = chunk.path("offset").asLong(-1);
        if (stream.inSync && !data.isEmpty()) {
            if (offset == stream.printed.length()) {
                stream.printed.append(data);
                stream.writer.print(RemoteOutput.text(data, stream.toTerminal, raw));
                stream.writer.flush();
            } else if (offset > stream.printed.length()) {
                stream.inSync = false; // chunks were lost: the rest of this stream comes from the stored result
            }
            // offset below: already printed (a resumed stream repeating itself); nothing to do.
        }
        return chunk.path("seq").asLong(0);
    }

    private void printRest(Stream stream, String stored) {
        if (stored == null) {
            return;
        }
        String printed = stream.printed.toString();
        String rest;
        if (stored.startsWith(printed)) {
            rest = stored.substring(printed.length());
        } else {
            // Never expected (live output is what the agent kept, in order); say so rather than print it silently twice.
            terminal.err().println("gururmm: the live output differs from the stored result; the stored result follows in full.");
            terminal.err().flush();
            rest = stored;
        }
        if (!rest.isEmpty()) {
            stream.writer.print(RemoteOutput.text(rest, stream.toTerminal, raw));
            stream.writer.flush();
        }
    }
}

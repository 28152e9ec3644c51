package com.gururmm.bench;

import com.gururmm.bench.sim.SimNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The parent's handle on a {@link SimNode} child process: N simulated agents of one server
 * node, in a process of their own so each stays under the open-file limit.
 */
final class RemoteSimulator implements AutoCloseable {
    private final Process process;
    private final PrintWriter requests;
    private final BufferedReader replies;
    private final int connected;
    private final double connectSeconds;

    /** Starts the child, which enrolls and connects {@code count} agents; returns once they are connected. */
    RemoteSimulator(Path benchJar, List<String> jvm, URI server, int count, String token, int inFlight, int firstAddress, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ServerProcess.javaBin("java"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", benchJar.toString(), SimNode.class.getName(), server.toString(), Integer.toString(count), token,
                Integer.toString(inFlight), Integer.toString(firstAddress)));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        requests = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String[] ready = reply("ready");
        connected = Integer.parseInt(ready[2]);
        connectSeconds = Double.parseDouble(ready[3]);
    }

    int connectedAtStart() {
        return connected;
    }

    double connectSeconds() {
        return connectSeconds;
    }

    synchronized int online() throws IOException {
        requests.println("online");
        return Integer.parseInt(reply("online")[2]);
    }

    synchronized void clearAcks() throws IOException {
        requests.println("clear");
        reply("ok");
    }

    /** Command id → {@link System#nanoTime()} at which the server acknowledged its stored result. */
    synchronized Map<UUID, Long> acks() throws IOException {
        requests.println("acks");
        Map<UUID, Long> acks = new HashMap<>();
        for (String[] line = reply("ack", "end"); line[1].equals("ack"); line = reply("ack", "end")) {
            acks.put(UUID.fromString(line[2]), Long.parseLong(line[3]));
        }
        return acks;
    }

    /** The child's agents reconnect to these servers, {@code count} agents each, in order. */
    synchronized void retarget(Map<URI, Integer> split) throws IOException {
        java.util.StringJoiner parts = new java.util.StringJoiner(",", "retarget ", "");
        split.forEach((uri, n) -> parts.add(uri + ":" + n));
        requests.println(parts);
        reply("ok");
    }

    private String[] reply(String... expected) throws IOException {
        for (String line; (line = replies.readLine()) != null; ) {
            if (!line.startsWith("SIM ")) {
                continue;
            }
            String[] words = line.split(" ");
            if (words[1].equals("error")) {
                throw new IOException("simulator process: " + line.substring(10));
            }
            if (List.of(expected).contains(words[1])) {
                return words;
            }
        }
        throw new IOException("simulator process exited (" + process.pid() + "); see its log");
    }

    @Override
    public void close() throws InterruptedException {
        requests.println("quit");
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

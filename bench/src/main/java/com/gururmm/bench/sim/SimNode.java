package com.gururmm.bench.sim;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One {@link Simulator} in a process of its own, driven over stdin/stdout by the cluster
 * scenario. Why a process: one process may hold only as many sockets as its open-file limit
 * (20,000 on these machines, and not raisable without CAP_SYS_RESOURCE), so 51,000 simulated
 * agents need three simulator processes, as three server nodes hold 17,000 each.
 *
 * <p>Usage: {@code java -cp gururmm-bench.jar com.gururmm.bench.sim.SimNode SERVER_URL COUNT
 * ENROLLMENT_TOKEN IN_FLIGHT [FIRST_SOURCE_ADDRESS]}. It enrolls and connects COUNT agents (echo executor), prints
 * {@code SIM ready ONLINE SECONDS}, then answers one line per request:
 * <ul>
 *   <li>{@code online} → {@code SIM online N}</li>
 *   <li>{@code clear} → {@code SIM ok} (forget acknowledgements)</li>
 *   <li>{@code acks} → {@code SIM ack COMMAND_ID NANOS} per acknowledged result, then {@code SIM end}.
 *       NANOS is {@link System#nanoTime()}, which on Linux reads CLOCK_MONOTONIC, one clock for
 *       every process of the machine, so the parent can subtract its own start time.</li>
 *   <li>{@code retarget URL:COUNT[,URL:COUNT...]} → {@code SIM ok} (where reconnects go)</li>
 *   <li>{@code quit} → closes every connection and exits</li>
 * </ul>
 * Anything that goes wrong is printed as {@code SIM error MESSAGE}.
 */
public final class SimNode {
    private SimNode() {
    }

    public static void main(String[] args) throws Exception {
        URI server = URI.create(args[0]);
        int count = Integer.parseInt(args[1]);
        String token = args[2];
        int inFlight = Integer.parseInt(args[3]);
        int firstAddress = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        // Protocol lines only on this stream; logging goes to stderr.
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        try (Simulator sim = new Simulator(server, Executor.named("echo"), count, firstAddress)) {
            long t0 = System.nanoTime();
            sim.enroll(token, count, 8);
            sim.connectAll(inFlight, Duration.ofMinutes(15));
            out.printf("SIM ready %d %.1f%n", sim.online(), (System.nanoTime() - t0) / 1e9);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] words = line.trim().split(" ", 2);
                try {
                    switch (words[0]) {
                        case "online" -> out.println("SIM online " + sim.online());
                        case "clear" -> {
                            sim.clearAcks();
                            out.println("SIM ok");
                        }
                        case "acks" -> {
                            StringBuilder sb = new StringBuilder();
                            for (Map.Entry<UUID, Long> e : sim.acks().entrySet()) {
                                sb.append("SIM ack ").append(e.getKey()).append(' ').append(e.getValue()).append('\n');
                            }
                            out.print(sb);
                            out.println("SIM end");
                        }
                        case "retarget" -> {
                            List<URI> servers = new ArrayList<>();
                            List<Integer> counts = new ArrayList<>();
                            for (String part : words[1].split(",")) {
                                int colon = part.lastIndexOf(':');
                                servers.add(URI.create(part.substring(0, colon)));
                                counts.add(Integer.parseInt(part.substring(colon + 1)));
                            }
                            sim.retarget(servers, counts);
                            out.println("SIM ok");
                        }
                        case "quit" -> {
                            return;
                        }
                        default -> out.println("SIM error unknown request " + words[0]);
                    }
                } catch (RuntimeException e) {
                    out.println("SIM error " + e);
                }
            }
        } catch (Exception e) {
            out.println("SIM error " + e);
            throw e;
        }
    }
}

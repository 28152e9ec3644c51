package com.gururmm.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on loopback between agents and the server that can cut connections at chosen
 * moments. Server-to-client WebSocket frames are unmasked, so their JSON can be recognised
 * in the byte stream: {@link #dropWhenServerSends} kills the connection instead of
 * forwarding the chunk that carries a given marker (e.g. the first {@code result_ack}).
 *
 * <p>Besides clean cuts ({@link #partition()}) it can fake the nastier fault, a black hole
 * ({@link #blackhole()}): a NAT that forgot the flow, a cable pulled somewhere in between.
 * Nothing is closed and nothing is refused; bytes simply stop arriving, both ways, and neither
 * side hears of it when the other closes. Connections that were black-holed stay dead after
 * {@link #heal()} (their flow is gone for good); only new connections work again.
 */
public final class FaultProxy implements AutoCloseable {
    private final ServerSocket listener;
    private volatile int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> dropMarker = new AtomicReference<>();
    private final AtomicInteger drops = new AtomicInteger();
    private final AtomicInteger blackholedAccepts = new AtomicInteger();
    private volatile boolean closed;
    private volatile boolean partitioned;
    private volatile boolean blackholed;

    /** One proxied connection: the agent's socket and ours to the server (null while black-holed from the start). */
    private static final class Link {
        final Socket client;
        final Socket server;
        volatile boolean silent;
        /** Only server-to-agent bytes are lost: the server still hears the agent, the agent hears nothing. */
        volatile boolean serverMuted;

        Link(Socket client, Socket server, boolean silent) {
            this.client = client;
            this.server = server;
            this.silent = silent;
        }

        void close() {
            closeQuietly(client);
            if (server != null) {
                closeQuietly(server);
            }
        }
    }

    public FaultProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The next server-to-agent chunk containing {@code marker} is not forwarded; the connection is cut instead. */
    public void dropWhenServerSends(String marker) {
        dropMarker.set(marker);
    }

    /** Cuts every connection and refuses new ones until {@link #heal()}: the agent is cut off. */
    public void partition() {
        partitioned = true;
        cutAll();
    }

    /**
     * From now on every open connection silently loses all bytes in both directions and no close
     * gets through; new connections are accepted (the TCP handshake succeeds) but lead nowhere,
     * until {@link #heal()}.
     */
    public void blackhole() {
        blackholed = true;
        for (Link link : links) {
            link.silent = true;
        }
    }

    /**
     * One-way loss on every open connection: what the server sends is dropped, what the agent
     * sends still arrives, but a close from either side no longer gets across. The server keeps
     * such a connection alive (it hears heartbeats) while the agent must give up on it, so the
     * agent's next connection meets a server that still holds the old one. New connections are
     * unaffected.
     */
    public void muteServer() {
        for (Link link : links) {
            link.serverMuted = true;
        }
    }

    /**
     * New connections go to {@code port} from now on (open ones stay where they are): a load
     * balancer that took a dead node out, so the agent's next connection lands on another node.
     */
    public void retarget(int port) {
        this.targetPort = port;
    }

    /** Ends a partition or a black hole: new connections reach the server again. */
    public void heal() {
        partitioned = false;
        blackholed = false;
    }

    public int drops() {
        return drops.get();
    }

    /** How many connections were accepted into the black hole (connect attempts while it lasted). */
    public int blackholedAccepts() {
        return blackholedAccepts.get();
    }

    /** Cuts every open connection. */
    public void cutAll() {
        for (Link link : links) {
            link.close();
        }
        links.clear();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (partitioned) {
                    closeQuietly(client); // the network is "down": connections are refused
                    continue;
                }
                client.setTcpNoDelay(true);
                if (blackholed) {
                    blackholedAccepts.incrementAndGet();
                    Link link = new Link(client, null, true);
                    links.add(link);
                    Thread.ofVirtual().start(() -> pump(link, client, null, false));
                    continue;
                }
                Socket server;
                try {
                    server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException targetDown) {
                    closeQuietly(client); // the target is down: the agent sees its connection refused
                    continue;
                }
                server.setTcpNoDelay(true);
                Link link = new Link(client, server, false);
                links.add(link);
                Thread.ofVirtual().start(() -> pump(link, client, server, false));
                Thread.ofVirtual().start(() -> pump(link, server, client, true));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Link link, Socket from, Socket to, boolean serverToClient) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to == null ? null : to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (link.silent || out == null || (serverToClient && link.serverMuted)) {
                    continue; // black hole: read and forget, so the sender's writes still "succeed"
                }
                String marker = dropMarker.get();
                if (serverToClient && marker != null
                        && new String(buffer, 0, n, StandardCharsets.ISO_8859_1).contains(marker)
                        && dropMarker.compareAndSet(marker, null)) {
                    drops.incrementAndGet();
                    link.close();
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // connection cut
        } finally {
            if (link.silent || link.serverMuted) {
                // A close does not cross a black hole: only the side that closed is gone.
                closeQuietly(from);
            } else {
                link.close();
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        cutAll();
    }
}

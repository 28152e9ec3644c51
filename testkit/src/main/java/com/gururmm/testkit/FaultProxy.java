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
 */
public final class FaultProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> dropMarker = new AtomicReference<>();
    private final AtomicInteger drops = new AtomicInteger();
    private volatile boolean closed;
    private volatile boolean partitioned;

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

    public void heal() {
        partitioned = false;
    }

    public int drops() {
        return drops.get();
    }

    /** Cuts every open connection. */
    public void cutAll() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (partitioned) {
                    closeQuietly(client); // the network is "down": connections are refused
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                Thread.ofVirtual().start(() -> pump(client, server, false));
                Thread.ofVirtual().start(() -> pump(server, client, true));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean serverToClient) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                String marker = dropMarker.get();
                if (serverToClient && marker != null
                        && new String(buffer, 0, n, StandardCharsets.ISO_8859_1).contains(marker)
                        && dropMarker.compareAndSet(marker, null)) {
                    drops.incrementAndGet();
                    closeQuietly(from);
                    closeQuietly(to);
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // connection cut
        } finally {
            closeQuietly(from);
            closeQuietly(to);
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

package io.duet.rehearsal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP round-robin balancer in front of a group of nodes (the API nodes, the gateway nodes), like the
 * load balancer in production: a connection goes to the next node that accepts it, so a killed node's
 * clients see their connections drop and their next ones land on a live node. The client address Duet
 * sees comes from X-Forwarded-For, which the rehearsal's nodes trust from 127.0.0.1.
 */
final class Balancer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Integer> backends;
    private final AtomicInteger next = new AtomicInteger();

    Balancer(int port, List<Integer> backends) throws IOException {
        this.backends = backends;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 1024);
        Thread.ofPlatform().daemon().name("balancer-" + port).start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                client.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        Socket backend = null;
        int first = Math.floorMod(next.getAndIncrement(), backends.size());
        for (int i = 0; i < backends.size() && backend == null; i++) {
            int port = backends.get((first + i) % backends.size());
            try {
                Socket candidate = new Socket();
                candidate.connect(new InetSocketAddress("127.0.0.1", port), 500);
                candidate.setTcpNoDelay(true);
                backend = candidate;
            } catch (IOException e) {
                // that node is down: the next one
            }
        }
        if (backend == null) {
            close(client);
            return;
        }
        Socket target = backend;
        Thread up = Thread.ofVirtual().start(() -> copy(client, target));
        copy(target, client);
        try {
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close(client);
            close(target);
        }
    }

    private static void copy(Socket from, Socket to) {
        byte[] buffer = new byte[32768];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            close(from);
            close(to);
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // best effort
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

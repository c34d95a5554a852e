package io.duet.api.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** A TCP port for a server a test or benchmark is about to start. */
public final class FreePort {
    private FreePort() {}

    /**
     * A port nothing is bound to, not even a closed connection in TIME_WAIT. Chosen with address reuse off, as
     * Netty's servers bind: a port picked with it on (the JDK's default) can still be held by such a connection
     * from an earlier load test, and the server's bind then fails with "Address already in use".
     */
    public static int get() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.duet.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;

/** A server the local stack uses: the properties that point Duet at it, and how to stop it if we started it. */
interface LocalServer extends AutoCloseable {

    Map<String, Object> properties();

    String description();

    /** Beans to register in the application context (the in-process SMTP server for /dev/mail). */
    default List<Object> beans() {
        return List.of();
    }

    @Override
    default void close() throws Exception {}

    /** A server someone else runs: nothing to stop. */
    static LocalServer fixed(Map<String, Object> properties, String description) {
        return new LocalServer() {
            @Override
            public Map<String, Object> properties() {
                return properties;
            }

            @Override
            public String description() {
                return description;
            }
        };
    }

    static boolean answers(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(
                    new InetSocketAddress(
                            hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                    500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A server named in the environment does not answer: an error, never a silent fallback. */
    final class UnreachableException extends RuntimeException {
        UnreachableException(String message) {
            super(message);
        }
    }
}

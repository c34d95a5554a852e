package io.duet.api.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Admin commands the tests send to the shared Redis ({@code DUET_REDIS_URI}) on their own connection,
 * independent of Redisson ({@code CLIENT LIST}, {@code CLIENT KILL ID n}; Redis refuses them inside
 * scripts): only ever aimed at connections of this test run, never at a type of client, since other runs
 * share the server.
 */
public final class RedisAdmin {
    private RedisAdmin() {}

    /**
     * The id of the pub/sub connection (one holding a subscription) of the client named {@code name};
     * fails when there is none. A Redisson client names all its connections alike, so the test gives
     * the node under test a name of its own.
     */
    public static String subscriberId(String name) throws IOException {
        for (String line : command("CLIENT", "LIST").split("\n")) {
            if (line.contains(" name=" + name + " ") && !line.contains(" sub=0 ")) {
                return line.replaceAll("^id=(\\d+) .*", "$1").trim();
            }
        }
        throw new AssertionError("no subscribed Redis connection named " + name);
    }

    /** Sends one command and returns its reply's text (a bulk string, a status, an integer or an error). */
    public static String command(String... words) throws IOException {
        URI uri = URI.create(TestRedis.uri());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379)) {
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*").append(words.length).append("\r\n");
            for (String word : words) {
                request.append('$')
                        .append(word.getBytes(StandardCharsets.UTF_8).length)
                        .append("\r\n")
                        .append(word)
                        .append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String first = line(in);
            if (first.startsWith("$")) {
                int length = Integer.parseInt(first.substring(1));
                return length < 0 ? "" : new String(in.readNBytes(length + 2), StandardCharsets.UTF_8).trim();
            }
            return first.substring(1);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

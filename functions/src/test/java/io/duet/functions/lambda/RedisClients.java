package io.duet.functions.lambda;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Looks at the connections Redis itself sees (CLIENT LIST / CLIENT KILL), independent of Redisson. */
final class RedisClients {
    private RedisClients() {}

    /** Connections named {@code name} on the test database. */
    static long count(String name) throws IOException {
        String list = command("CLIENT", "LIST");
        int db = database();
        return list.lines().filter(line -> line.contains(" name=" + name + " ") && line.contains(" db=" + db + " ")).count();
    }

    /** Kills every connection named {@code name} on the test database; returns how many. */
    static int kill(String name) throws IOException {
        int db = database();
        int killed = 0;
        for (String line : command("CLIENT", "LIST").lines().toList()) {
            if (line.contains(" name=" + name + " ") && line.contains(" db=" + db + " ")) {
                String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
                command("CLIENT", "KILL", "ID", id);
                killed++;
            }
        }
        return killed;
    }

    private static int database() {
        String path = URI.create(TestFunctions.redisUri()).getPath();
        return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
    }

    private static String command(String... parts) throws IOException {
        URI uri = URI.create(TestFunctions.redisUri());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379)) {
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*").append(parts.length).append("\r\n");
            for (String part : parts) {
                request.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String header = line(in);
            if (header.startsWith("$")) {
                int length = Integer.parseInt(header.substring(1));
                byte[] body = in.readNBytes(length);
                return new String(body, StandardCharsets.UTF_8);
            }
            return header;
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int previous = -1;
        int next;
        while ((next = in.read()) != -1) {
            if (previous == '\r' && next == '\n') {
                byte[] bytes = buffer.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            buffer.write(next);
            previous = next;
        }
        throw new IOException("Redis closed the connection");
    }
}

package io.duet.api.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A redis-server of a test's own, on a port of its own, keeping nothing on disk: for what a test must not do to
 * the shared Redis (kill it, lose its data, be a second region's). Stopped on {@link #close()}.
 */
public final class PrivateRedis implements AutoCloseable {
    private final int port;
    private final Process process;

    private PrivateRedis(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts one on {@code port} and returns at once (a test may want its clients to start first). */
    public static PrivateRedis on(int port) throws IOException {
        Process process = new ProcessBuilder(
                        "redis-server",
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return new PrivateRedis(port, process);
    }

    /** Starts one on a free port and waits until it answers PING. */
    public static PrivateRedis start() throws Exception {
        PrivateRedis redis = on(FreePort.get());
        Await.until(Duration.ofSeconds(10), redis::ping, answered -> answered);
        return redis;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT/0}. */
    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    private boolean ping() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(7);
            return new String(answer, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}

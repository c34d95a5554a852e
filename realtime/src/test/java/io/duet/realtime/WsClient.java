package io.duet.realtime;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client (the JDK's): every text frame in a queue, the close code and reason recorded. */
final class WsClient implements WebSocket.Listener, AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final boolean reading;
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    private WsClient(boolean reading) {
        this.reading = reading;
    }

    static WsClient connect(int port, String query) throws Exception {
        return connect(port, query, true);
    }

    /** @param reading false: a client that never reads (no demand), to test the slow-consumer cut-off */
    static WsClient connect(int port, String query, boolean reading) throws Exception {
        WsClient client = new WsClient(reading);
        client.socket = HTTP.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/realtime?" + query), client)
                .get(10, TimeUnit.SECONDS);
        return client;
    }

    static WsClient connectWithProtocol(int port, String token) throws Exception {
        WsClient client = new WsClient(true);
        client.socket = HTTP.newWebSocketBuilder()
                .subprotocols("duet", "duet.token." + token)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/realtime"), client)
                .get(10, TimeUnit.SECONDS);
        return client;
    }

    /** A native app's way: the token in an Authorization header, nothing in the URL. */
    static WsClient connectWithHeader(int port, String token) throws Exception {
        WsClient client = new WsClient(true);
        client.socket = HTTP.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/realtime"), client)
                .get(10, TimeUnit.SECONDS);
        return client;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        if (reading) {
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("error " + error);
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    /** Starts reading (for a client made with reading=false). */
    void startReading() {
        socket.request(Long.MAX_VALUE);
    }

    /** The next frame matching, skipping others; fails after the timeout. */
    String next(Duration timeout, Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> skipped = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            String frame = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
            if (frame == null) {
                throw new AssertionError("no matching frame within " + timeout + "; skipped " + skipped + ", closed: "
                        + closed.getNow("no"));
            }
            if (wanted.test(frame)) {
                return frame;
            }
            skipped.add(frame);
        }
    }

    /** Frames matching, until {@code count} of them arrived or the timeout passed. */
    List<String> collect(int count, Duration timeout, Predicate<String> wanted) throws InterruptedException {
        List<String> found = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (found.size() < count) {
            long left = deadline - System.nanoTime();
            String frame = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
            if (frame == null) {
                break;
            }
            if (wanted.test(frame)) {
                found.add(frame);
            }
        }
        return found;
    }

    String closeCode(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(1000, "bye");
        }
        socket.abort();
    }
}

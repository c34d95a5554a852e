package io.duet.api.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Lambda Runtime API (version 2018-06-01) as a function's runtime client sees it, on loopback: it
 * hands out queued events on {@code GET /runtime/invocation/next} (held until one is queued, as Lambda
 * does), and records what comes back on {@code /invocation/{id}/response}, {@code /invocation/{id}/error}
 * and {@code /init/error}, with the moment each arrived.
 */
public final class LocalRuntimeApi implements AutoCloseable {
    /** An EventBridge scheduled event, as the worker functions' schedule delivers it. */
    public static final String SCHEDULED = """
            {"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",
             "source":"aws.events","account":"123456789012","time":"2026-11-22T15:00:00Z","region":"eu-west-1",
             "resources":["arn:aws:events:eu-west-1:123456789012:rule/duet-worker"],"detail":{}}""";

    private static final String BASE = "/2018-06-01/runtime/";

    /** What the function answered for one invocation; {@code error} tells a response from an error. */
    public record Answer(String requestId, boolean error, String body, long arrivedNanos) {}

    private record Pending(String requestId, String event, long deadlineMillis) {}

    private final HttpServer server;
    private final BlockingQueue<Pending> events = new LinkedBlockingQueue<>();
    private final Map<String, BlockingQueue<Answer>> answers = new ConcurrentHashMap<>();
    private final BlockingQueue<Answer> initErrors = new LinkedBlockingQueue<>();
    private volatile long firstNextNanos;

    public LocalRuntimeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(BASE, this::handle);
        server.start();
    }

    /** The value of {@code AWS_LAMBDA_RUNTIME_API}. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues an event for the function; returns its request id. */
    public String invoke(String eventJson, Duration timeout) {
        String requestId = UUID.randomUUID().toString();
        answers.put(requestId, new LinkedBlockingQueue<>());
        events.add(new Pending(requestId, eventJson, System.currentTimeMillis() + timeout.toMillis()));
        return requestId;
    }

    /** Waits for the answer to one invocation. */
    public Answer await(String requestId, Duration timeout) throws InterruptedException {
        Answer answer = answers.get(requestId).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (answer == null) {
            throw new AssertionError("no answer to invocation " + requestId + " within " + timeout);
        }
        return answer;
    }

    /** Waits for the function to report that its init failed. */
    public Answer awaitInitError(Duration timeout) throws InterruptedException {
        Answer answer = initErrors.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (answer == null) {
            throw new AssertionError("no init error within " + timeout);
        }
        return answer;
    }

    /** When the runtime client first asked for an event (init done), or 0. */
    public long firstNextNanos() {
        return firstNextNanos;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(BASE.length());
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals("invocation/next")) {
                next(exchange);
            } else if (method.equals("POST") && path.equals("init/error")) {
                initErrors.add(new Answer(null, true, body(exchange), System.nanoTime()));
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("POST")
                    && path.startsWith("invocation/")
                    && (path.endsWith("/response") || path.endsWith("/error"))) {
                String requestId = path.substring("invocation/".length(), path.lastIndexOf('/'));
                BlockingQueue<Answer> queue = answers.get(requestId);
                if (queue == null) {
                    reply(exchange, 400, "{\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                queue.add(new Answer(requestId, path.endsWith("/error"), body(exchange), System.nanoTime()));
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else {
                reply(exchange, 404, "{\"errorType\":\"NotFound\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void next(HttpExchange exchange) throws IOException, InterruptedException {
        if (firstNextNanos == 0) {
            firstNextNanos = System.nanoTime();
        }
        Pending pending = events.take();
        var headers = exchange.getResponseHeaders();
        headers.add("Content-Type", "application/json");
        headers.add("Lambda-Runtime-Aws-Request-Id", pending.requestId());
        headers.add("Lambda-Runtime-Deadline-Ms", Long.toString(pending.deadlineMillis()));
        headers.add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:duet-api");
        headers.add(
                "Lambda-Runtime-Trace-Id",
                "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-"
                        + pending.requestId().replace("-", "").substring(0, 24) + ";Sampled=0");
        reply(exchange, 200, pending.event());
    }

    private static String body(HttpExchange exchange) throws IOException {
        return new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

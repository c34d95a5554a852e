package io.duet.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Existing couples (from datagen) chatting through the whole rehearsal, measured by Duet's own client
 * code beside Gatling: one partner sends over the API (retries reuse the clientId), the other listens on
 * the realtime gateway, 70 % over WebSocket and 30 % over long-polling, resuming with {@code after=SEQ}
 * and honouring the server's reconnect delay. A {@code reset} (the log is gone) makes the client reload
 * the history over the API, as the apps do; those messages count as received through the reload.
 */
final class RealtimeProbe implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** When a message was sent (2xx) and when its event reached the partner. */
    record Delivery(long sentAt, long receivedAt, boolean viaReload) {}

    final class Listener {
        final int index;
        final boolean websocket;
        final String token;
        final String senderToken;
        volatile long lastSeq;
        final Map<Long, Integer> seqCounts = new ConcurrentHashMap<>();
        final Set<String> receivedIds = ConcurrentHashMap.newKeySet();
        final Set<String> reloadedIds = ConcurrentHashMap.newKeySet();
        volatile WebSocket socket;
        volatile String sid;
        final AtomicLong reconnects = new AtomicLong();
        final AtomicLong resets = new AtomicLong();

        Listener(int index, boolean websocket, String token, String senderToken) {
            this.index = index;
            this.websocket = websocket;
            this.token = token;
            this.senderToken = senderToken;
        }

        void onEvent(JsonNode event) {
            long seq = event.path("seq").asLong();
            String type = event.path("type").asText();
            if (type.equals("reconnect")) {
                reconnectDelay =
                        Math.max(200, event.path("data").path("delayMs").asLong(1000));
                return;
            }
            if (type.equals("reset")) {
                resets.incrementAndGet();
                lastSeq = Math.max(0, seq);
                reload(this);
                return;
            }
            if (seq > 0) {
                seqCounts.merge(resets.get() * 1_000_000_000L + seq, 1, Integer::sum); // a reset starts a new numbering
                lastSeq = Math.max(lastSeq, seq);
            }
            if (type.equals("message.created")) {
                String clientId = event.path("data").path("clientId").asText();
                if (receivedIds.add(clientId)) {
                    Long sent = sentAt.get(clientId);
                    deliveries.put(clientId, new Delivery(sent == null ? -1 : sent, System.currentTimeMillis(), false));
                }
            }
        }

        volatile long reconnectDelay = 1000;
    }

    private final String api;
    private final String gateway;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Ledger ledger;
    final List<Listener> listeners = new ArrayList<>();
    final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    final Map<String, Delivery> deliveries = new ConcurrentHashMap<>();
    final Map<String, Integer> receiverOf = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile boolean sending = true;
    private final List<Thread> threads = new ArrayList<>();

    RealtimeProbe(String api, String gateway, Ledger ledger) {
        this.api = api;
        this.gateway = gateway;
        this.ledger = ledger;
    }

    /** Signs in both partners of {@code couples} datagen couples and connects their listeners. */
    void start(String jdbcUrl, int couples) throws Exception {
        List<String[]> pairs = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
                ResultSet rs = c.createStatement().executeQuery("""
                        SELECT min(a.email), max(a.email) FROM couple_member m JOIN account a ON a.id = m.account_id
                        WHERE m.left_at IS NULL GROUP BY m.couple_id HAVING count(*) = 2 ORDER BY min(a.email)""" + " LIMIT " + couples)) {
            while (rs.next()) {
                pairs.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        int i = 0;
        for (String[] pair : pairs) {
            String sender = signIn(pair[0], "172.16.0." + (i % 250));
            String receiver = signIn(pair[1], "172.17.0." + (i % 250));
            Listener listener = new Listener(i, i % 10 < 7, receiver, sender);
            listeners.add(listener);
            i++;
        }
        for (Listener listener : listeners) {
            threads.add(Thread.ofVirtual().name("listen-" + listener.index).start(() -> listen(listener)));
        }
    }

    private String signIn(String email, String address) throws Exception {
        for (int attempt = 0; attempt < 10; attempt++) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(api + "/v1/sessions"))
                            .header("Content-Type", "application/json")
                            .header("X-Forwarded-For", address)
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"email\":\"" + email + "\",\"password\":\"duet-datagen-password\"}"))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 == 2) {
                return JSON.readTree(r.body()).path("accessToken").asText();
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("could not sign in " + email);
    }

    /** Each sender sends one message every {@code periodMillis}, jittered, until {@link #stopSending}. */
    void startSending(long periodMillis) {
        for (Listener listener : listeners) {
            senders.add(Thread.ofVirtual().name("send-" + listener.index).start(() -> {
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(periodMillis));
                    while (sending) {
                        send(listener);
                        Thread.sleep(
                                periodMillis / 2 + ThreadLocalRandom.current().nextLong(periodMillis));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
    }

    private final List<Thread> senders = new ArrayList<>();

    /** Stops the senders and waits for the messages in flight (and their retries) to get their ledger line. */
    void stopSending() throws InterruptedException {
        sending = false;
        for (Thread sender : senders) {
            sender.join(Duration.ofSeconds(120));
        }
    }

    private void send(Listener listener) throws InterruptedException {
        String clientId = UUID.randomUUID().toString();
        long start = System.currentTimeMillis();
        receiverOf.put(clientId, listener.index);
        String outcome = "error";
        long seq = -1;
        List<String> tries = new ArrayList<>();
        for (int attempt = 1; attempt <= Retries.TRIES; attempt++) {
            String retryAfter = null;
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(api + "/v1/couple/messages"))
                                .header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + listener.senderToken)
                                .header("X-Forwarded-For", "172.16.0." + (listener.index % 250))
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"clientId\":\"" + clientId + "\",\"text\":\"still here " + start + "\"}"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                outcome = Integer.toString(r.statusCode());
                retryAfter = r.headers().firstValue("Retry-After").orElse(null);
                if (r.statusCode() / 100 == 2) {
                    sentAt.put(clientId, start);
                    try {
                        seq = JSON.readTree(r.body()).path("seq").asLong(-1);
                    } catch (Exception e) {
                        seq = -1;
                    }
                }
            } catch (IOException e) {
                outcome = "error";
            }
            tries.add(outcome);
            // Done on a 2xx, and on a 4xx other than 429 (retrying the same request cannot change it).
            boolean done = outcome.startsWith("2") || outcome.startsWith("4") && !outcome.equals("429");
            if (done) {
                break;
            }
            if (attempt < Retries.TRIES) {
                Thread.sleep(Retries.delay(retryAfter, attempt));
            }
        }
        ledger.write(
                "rt-message",
                clientId,
                start,
                System.currentTimeMillis(),
                outcome,
                listener.index + ":" + seq,
                String.join(",", tries));
    }

    private void listen(Listener listener) {
        while (running) {
            try {
                if (listener.websocket) {
                    listenWebSocket(listener);
                } else {
                    listenPolling(listener);
                }
            } catch (Exception e) {
                // the connection broke: reconnect after the server's delay, resuming from lastSeq
            }
            if (!running) {
                return;
            }
            listener.reconnects.incrementAndGet();
            try {
                Thread.sleep(
                        listener.reconnectDelay + ThreadLocalRandom.current().nextLong(300));
            } catch (InterruptedException e) {
                return;
            }
            listener.reconnectDelay = 1000;
        }
    }

    private void listenWebSocket(Listener listener) throws Exception {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        // Always with its position, 0 included: without after the gateway starts from now, and a reset to an
        // empty log (Redis lost it) followed by a reconnect would skip what was appended in between.
        String uri = gateway.replace("http://", "ws://") + "/v1/realtime?token=" + listener.token + "&after="
                + listener.lastSeq;
        StringBuilder partial = new StringBuilder();
        WebSocket socket = http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(uri), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            try {
                                JsonNode event = JSON.readTree(partial.toString());
                                listener.onEvent(event);
                                if (event.path("type").asText().equals("message.created")) {
                                    ws.sendText("{\"type\":\"ack\",\"upToSeq\":" + listener.lastSeq + "}", true);
                                }
                            } catch (Exception e) {
                                // a frame we cannot read is not an event
                            }
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                        closed.complete(null);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.complete(null);
                    }
                })
                .get();
        listener.socket = socket;
        while (running && !closed.isDone()) {
            try {
                closed.get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // still open
            }
        }
        socket.abort();
    }

    private void listenPolling(Listener listener) throws Exception {
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create(gateway + "/v1/realtime/sessions"))
                        .header("Authorization", "Bearer " + listener.token)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() / 100 != 2) {
            throw new IllegalStateException("session " + created.statusCode());
        }
        listener.sid = JSON.readTree(created.body()).path("sid").asText();
        while (running) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(gateway + "/v1/realtime/sessions/" + listener.sid
                                    + "/events?after=" + listener.lastSeq))
                            .header("Authorization", "Bearer " + listener.token)
                            .timeout(Duration.ofSeconds(40))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("poll " + r.statusCode());
            }
            boolean any = false;
            for (JsonNode event : JSON.readTree(r.body()).path("events")) {
                listener.onEvent(event);
                any |= event.path("type").asText().equals("message.created");
                if (event.path("type").asText().equals("reconnect")) {
                    return;
                }
            }
            if (any) {
                http.sendAsync(
                        HttpRequest.newBuilder(
                                        URI.create(gateway + "/v1/realtime/sessions/" + listener.sid + "/events"))
                                .header("Authorization", "Bearer " + listener.token)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"type\":\"ack\",\"upToSeq\":" + listener.lastSeq + "}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    /** After a reset, the app reloads the latest history over the API; what it finds there counts as received. */
    private void reload(Listener listener) {
        Thread.ofVirtual().start(() -> {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(api + "/v1/couple/messages?limit=100"))
                                .header("Authorization", "Bearer " + listener.token)
                                .header("X-Forwarded-For", "172.17.0." + (listener.index % 250))
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode body = JSON.readTree(r.body());
                JsonNode items = body.isArray()
                        ? body
                        : body.path("messages").isArray() ? body.path("messages") : body.path("items");
                for (JsonNode m : items) {
                    String clientId = m.path("clientId").asText();
                    if (!clientId.isEmpty()
                            && !listener.receivedIds.contains(clientId)
                            && listener.reloadedIds.add(clientId)) {
                        Long sent = sentAt.get(clientId);
                        deliveries.putIfAbsent(
                                clientId, new Delivery(sent == null ? -1 : sent, System.currentTimeMillis(), true));
                    }
                }
            } catch (Exception e) {
                // the next reset or the checker's final reload tries again
            }
        });
    }

    long connected() {
        return listeners.stream()
                .filter(l -> l.websocket ? l.socket != null && !l.socket.isInputClosed() : l.sid != null)
                .count();
    }

    @Override
    public void close() {
        running = false;
        sending = false;
        for (Listener listener : listeners) {
            if (listener.socket != null) {
                listener.socket.abort();
            }
        }
        threads.forEach(Thread::interrupt);
        senders.forEach(Thread::interrupt);
    }
}

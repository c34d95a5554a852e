package io.duet.bench;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.duet.api.testing.GatewayProcess;
import io.duet.api.testing.Jwts;
import io.duet.api.testing.People;
import io.duet.api.testing.ProcStat;
import io.duet.api.testing.TestRedis;
import io.micronaut.context.ApplicationContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./duet bench realtime}: one gateway node in its own JVM (production timeouts), measured from this
 * one. (a) idle WebSocket connections and the node's RSS and heap per connection; (b) events appended to
 * users' logs at rising rates and routed by Redis fan-out to 2,000 couples' WebSockets: the highest rate
 * delivered with p99 ≤ 50 ms and ≥ 99.9 % delivered, with the node's CPU per routed event; (c) the same
 * over long-polling for 1,000 couples. Localhost only; every count and duration is bounded by flags:
 * {@code --idle N --couples N --poll-couples N --seconds S --rates R1,R2,... --poll-rates R1,... --api-couples N
 * --api-rates R1,... --warmup S --rest S --peer no} (the last skips the Socket.IO peer, for profiling runs; {@code --rest} is how long (b)
 * measures the node with its clients connected and nothing sent). (e) sends messages through the API
 * ({@code POST /v1/couple/messages}: PostgreSQL, then the log) to couples made through the API.
 */
public final class RealtimeBench {
    private static final Pattern SENT_AT = Pattern.compile("\"t\":(\\d+)");

    private RealtimeBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = flags(args);
        int idle = Integer.parseInt(flags.getOrDefault("idle", "18000"));
        int couples = Integer.parseInt(flags.getOrDefault("couples", "2000"));
        int pollCouples = Integer.parseInt(flags.getOrDefault("poll-couples", "1000"));
        int seconds = Math.min(Math.max(Integer.parseInt(flags.getOrDefault("seconds", "5")), 1), 30);
        int[] rates = Arrays.stream(flags.getOrDefault("rates", "1000,2000,5000,10000,20000")
                        .split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        int[] pollRates = Arrays.stream(
                        flags.getOrDefault("poll-rates", "500,1000,2000,4000").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        idle = Math.min(idle, 18_000);
        couples = Math.min(couples, 5_000);
        pollCouples = Math.min(pollCouples, 2_000);
        // The JIT compiles for minutes after thousands of connects on a shared 2-core machine; a steady state
        // is what a node lives in.
        int warmup = Math.min(Math.max(Integer.parseInt(flags.getOrDefault("warmup", "15")), 2), 120);

        String machine = String.format(
                Locale.ROOT,
                "cores=%d mem_gb=%.1f jdk=%s",
                Runtime.getRuntime().availableProcessors(),
                memTotalKb() / 1024.0 / 1024.0,
                Runtime.version().feature() + "." + Runtime.version().interim() + "."
                        + Runtime.version().update());
        System.out.println("Realtime benchmark on " + machine);
        Gateway gateway = Gateway.start();
        ApplicationContext publisherContext = ApplicationContext.builder()
                .environments("test")
                .properties(Map.of(
                        "duet.queues.workers-enabled",
                        false,
                        "micronaut.server.port",
                        -1,
                        "duet.realtime.node-id",
                        "bench-pub-" + UUID.randomUUID().toString().substring(0, 6)))
                .start();
        UserEvents events = publisherContext.getBean(UserEvents.class);
        try {
            // (a) idle connections. The node's heap is fixed and resident from the start (-Xms = -Xmx, pre-touched), so
            // the RSS it gains is memory outside the heap; the heap's share is its live growth after a full GC. Their
            // sum
            // is what a connection costs. (Without pre-touching, RSS also grows by young-generation pages touched for
            // the
            // first time by connect-time garbage: a one-off of the first hundred MB allocated, not a cost per
            // connection.)
            Memory cold = gateway.memory();
            // A warm-up round first: half as many connections, opened and dropped, so that the connect path is compiled
            // and the allocators' pools have grown to what connecting needs. What the node holds for the connections
            // is then measured on the warmed node, apart from those fixed costs (JIT code and arenas grow RSS too).
            warmUp(gateway, idle / 2);
            Memory warm = gateway.memory();
            gateway.nativeMemory("baseline");
            List<Client> idleClients = connectAll(gateway.port, idle, null, null);
            gateway.awaitJitQuiet(60);
            Rest rest = gateway.rest(5);
            Memory after = gateway.memory();
            String nativeGrowth = gateway.nativeMemory("summary.diff");
            int open = (int) idleClients.stream().filter(c -> c.open.get()).count();
            PerConnection all = after.minus(cold, open);
            PerConnection held = after.minus(warm, open);
            idleClients.forEach(Client::close);
            if (!nativeGrowth.isEmpty()) {
                System.out.println(
                        "\n(a) the node's native memory growth while the connections opened (NMT):\n" + nativeGrowth);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%n(a) idle WebSockets on one node: %d open; node CPU at rest %.1f %% of a core (%.1f %% of it the JIT"
                            + " still compiling what the connections ran)%n"
                            + "    per connection on the warmed node: %s%n"
                            + "    per connection with the node's warm-up counted in: %s%n",
                    open,
                    rest.cpuMs() / 10,
                    rest.jitMs() / 10,
                    held,
                    all);
            Thread.sleep(2000);

            // (f) idle WebSockets over three nodes, each in its own JVM, with the clients in three processes of their
            // own (a process may hold 20,000 files here), each from its own 127.0.0.x address.
            int clusterTarget =
                    Math.min(Integer.parseInt(flags.getOrDefault("cluster", "50000")), 3 * CLUSTER_PER_NODE_MAX);
            Cluster cluster = clusterTarget > 0 ? cluster(clusterTarget) : null;

            // (b) routed events through Redis fan-out to WebSockets
            Recorder recorder = new Recorder();
            List<Client> clients = connectAll(gateway.port, couples * 2, recorder, null);
            Thread.sleep(3000);
            System.out.printf(
                    Locale.ROOT,
                    "%n(b) %d couples on WebSocket, events appended to the log and routed by fan-out%n",
                    couples);
            List<UUID> wsUsers = clients.stream().map(c -> c.user).toList();
            int wsWarmSeconds =
                    warmUnderLoad(rate -> run(events, wsUsers, rate, seconds, recorder, gateway), rates[0], warmup);
            Thread.sleep(1000);
            Rest atRest = gateway.rest(Math.min(Math.max(Integer.parseInt(flags.getOrDefault("rest", "5")), 1), 300));
            System.out.printf(
                    Locale.ROOT,
                    "  (unmeasured warm-up: %d s at the first rate, until the JIT took under %.0f %% of the node's CPU; node CPU"
                            + " includes the JIT's, shown apart. Then, with the %,d clients connected and no events, the node used %.1f ms of CPU a"
                            + " second, %.1f of it the JIT's: its fixed work)%n",
                    wsWarmSeconds,
                    100 * JIT_QUIET_SHARE,
                    wsUsers.size(),
                    atRest.cpuMs(),
                    atRest.jitMs());
            System.out.println("  rate/s   sent  delivered%   p50 ms   p99 ms  node CPU µs/event  of it JIT");
            Ladder ws = climb(rates, rate -> run(events, wsUsers, rate, seconds, recorder, gateway));
            clients.forEach(Client::close);
            Thread.sleep(2000);

            // (c) long-polling only
            Recorder pollRecorder = new Recorder();
            AtomicBoolean polling = new AtomicBoolean(true);
            List<UUID> pollUsers = startPollers(gateway.port, pollCouples * 2, pollRecorder, polling);
            Thread.sleep(3000);
            System.out.printf(Locale.ROOT, "%n(c) %d couples on long-polling only%n", pollCouples);
            int pollWarmSeconds = warmUnderLoad(
                    rate -> run(events, pollUsers, rate, seconds, pollRecorder, gateway), pollRates[0], warmup);
            System.out.printf(Locale.ROOT, "  (unmeasured warm-up: %d s at the first rate)%n", pollWarmSeconds);
            System.out.println("  rate/s   sent  delivered%   p50 ms   p99 ms  node CPU µs/event  of it JIT");
            Ladder poll = climb(pollRates, rate -> run(events, pollUsers, rate, seconds, pollRecorder, gateway));
            polling.set(false);

            // (e) the whole path: API (HTTP, PostgreSQL commit) → event log → fan-out → the partner's WebSocket
            int apiCouples = Math.min(Integer.parseInt(flags.getOrDefault("api-couples", "200")), 2_000);
            int[] apiRates = Arrays.stream(flags.getOrDefault("api-rates", "100,200,500,1000,2000")
                            .split(","))
                    .mapToInt(Integer::parseInt)
                    .toArray();
            Ladder throughApi = Ladder.NONE;
            if (apiCouples > 0) {
                Thread.sleep(2000);
                Api api = new Api(gateway.port, publisherContext.getBean(io.micronaut.serde.ObjectMapper.class));
                List<Couples.Pair> pairs = new ArrayList<>();
                for (int i = 0; i < apiCouples; i++) {
                    pairs.add(Couples.pair(api, "Bench A" + i, "Bench B" + i));
                }
                Recorder apiRecorder = new Recorder();
                HttpClient wsHttp = HttpClient.newBuilder()
                        .executor(Executors.newFixedThreadPool(2))
                        .build();
                List<WebSocket> receivers = new ArrayList<>();
                for (Couples.Pair pair : pairs) {
                    receivers.add(wsHttp.newWebSocketBuilder()
                            .buildAsync(
                                    URI.create("ws://127.0.0.1:" + gateway.port + "/v1/realtime?token="
                                            + pair.b().token()),
                                    new Client(apiRecorder))
                            .get(30, TimeUnit.SECONDS));
                }
                Thread.sleep(2000);
                System.out.printf(
                        Locale.ROOT,
                        "%n(e) %d couples, API → PostgreSQL → log → fan-out → partner's WebSocket (POST sent → frame received;"
                                + " node CPU includes the API's)%n",
                        apiCouples);
                HttpClient senders = HttpClient.newBuilder()
                        .executor(Executors.newFixedThreadPool(2))
                        .build();
                int apiWarmSeconds = warmUnderLoad(
                        rate -> sendThroughApi(senders, gateway.port, pairs, rate, seconds, apiRecorder, gateway),
                        apiRates[0],
                        warmup);
                System.out.printf(Locale.ROOT, "  (unmeasured warm-up: %d s at the first rate)%n", apiWarmSeconds);
                System.out.println("  rate/s   sent  delivered%   p50 ms   p99 ms  node CPU µs/msg   of it JIT");
                throughApi = climb(
                        apiRates,
                        rate -> sendThroughApi(senders, gateway.port, pairs, rate, seconds, apiRecorder, gateway));
                receivers.forEach(WebSocket::abort);
            }

            publisherContext.close();
            gateway.process.destroy();
            gateway.process.waitFor(10, TimeUnit.SECONDS);

            // (d) the peer: Socket.IO v4 with the Redis adapter, same scenarios, same machine, same run
            Peer sio = !flags.getOrDefault("peer", "yes").equals("no")
                    ? socketIoPeer(
                            idle,
                            couples,
                            pollCouples,
                            seconds,
                            flags.getOrDefault("rates", "1000,2000,5000,10000,20000"),
                            flags.getOrDefault("poll-rates", "500,1000,2000,4000"),
                            wsWarmSeconds,
                            pollWarmSeconds)
                    : Peer.SKIPPED;
            String peer = sio.summary() + compare("ws", ws, sio.wsCpu()) + compare("lp", poll, sio.lpCpu());

            System.out.println();
            // The first rate of each ladder, passed or not: on a loaded machine the two sides compare there.
            String first = String.format(
                    Locale.ROOT,
                    "ws_first_rate=%d ws_first_p99_ms=%.1f ws_first_cpu_us=%.1f ws_first_jit_us=%.1f "
                            + "ws_first_delivered_pct=%.2f lp_first_rate=%d lp_first_p99_ms=%.1f lp_first_cpu_us=%.1f lp_first_jit_us=%.1f "
                            + "lp_first_delivered_pct=%.2f",
                    rates[0],
                    ws.first().p99(),
                    ws.first().cpuMicros(),
                    ws.first().jitMicros(),
                    100.0 * ws.first().delivered() / Math.max(1, ws.first().sent()),
                    pollRates[0],
                    poll.first().p99(),
                    poll.first().cpuMicros(),
                    poll.first().jitMicros(),
                    100.0 * poll.first().delivered() / Math.max(1, poll.first().sent()));
            String three = cluster == null
                    ? "cluster_conns=0"
                    : String.format(
                            Locale.ROOT,
                            "cluster_conns=%d cluster_nodes=3 cluster_kb_per_conn=%.2f "
                                    + "cluster_rss_kb_per_conn=%.2f cluster_heap_kb_per_conn=%.2f cluster_kb_per_conn_cold=%.2f cluster_connect_s=%.1f",
                            cluster.open(),
                            cluster.warmed().totalKb(),
                            cluster.warmed().rssKb(),
                            cluster.warmed().heapKb(),
                            cluster.cold().totalKb(),
                            cluster.seconds());
            System.out.printf(
                    Locale.ROOT,
                    "RESULT %s idle_conns=%d kb_per_conn_cold=%.2f rss_kb_per_conn_cold=%.2f heap_kb_per_conn_cold=%.2f "
                            + "kb_per_conn=%.2f rss_kb_per_conn=%.2f heap_kb_per_conn=%.2f %s ws_couples=%d ws_max_rate=%d ws_p99_ms=%.1f "
                            + "ws_cpu_us_per_event=%.1f lp_couples=%d lp_max_rate=%d lp_p99_ms=%.1f lp_cpu_us_per_event=%.1f api_couples=%d "
                            + "api_max_rate=%d api_p99_ms=%.1f api_cpu_us_per_msg=%.1f %s %s%n",
                    machine,
                    open,
                    all.totalKb(),
                    all.rssKb(),
                    all.heapKb(),
                    held.totalKb(),
                    held.rssKb(),
                    held.heapKb(),
                    three,
                    couples,
                    ws.bestRate(),
                    ws.bestP99(),
                    ws.bestCpu(),
                    pollCouples,
                    poll.bestRate(),
                    poll.bestP99(),
                    poll.bestCpu(),
                    apiCouples,
                    throughApi.bestRate(),
                    throughApi.bestP99(),
                    throughApi.bestCpu(),
                    first,
                    peer);

        } finally {
            if (publisherContext.isRunning()) {
                publisherContext.close();
            }
            gateway.process.destroy();
            gateway.process.waitFor(10, TimeUnit.SECONDS);
            System.exit(0);
        }
    }

    /** A node's anonymous RSS (KiB) and live heap (bytes). */
    record Memory(long rssAnonKb, long heapBytes) {
        static Memory sum(List<Memory> nodes) {
            return new Memory(
                    nodes.stream().mapToLong(Memory::rssAnonKb).sum(),
                    nodes.stream().mapToLong(Memory::heapBytes).sum());
        }

        PerConnection minus(Memory earlier, int connections) {
            int n = Math.max(1, connections);
            return new PerConnection(
                    (rssAnonKb - earlier.rssAnonKb) / (double) n, (heapBytes - earlier.heapBytes) / 1024.0 / n);
        }
    }

    /** KiB per connection: RSS outside the (pre-touched) heap, and live heap; their sum is the connection's memory. */
    record PerConnection(double rssKb, double heapKb) {
        double totalKb() {
            return rssKb + heapKb;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%.2f KB outside the heap (RSS) + %.2f KB live heap = %.2f KB",
                    rssKb,
                    heapKb,
                    totalKb());
        }
    }

    record Step(long sent, long delivered, double p50, double p99, double cpuMicros, double jitMicros) {
        boolean passes() {
            return p99 <= 50 && delivered >= sent * 0.999;
        }

        String row(int rate) {
            return String.format(
                    Locale.ROOT,
                    "  %6d %6d %10.2f %8.1f %8.1f %12.1f %9.1f%s",
                    rate,
                    sent,
                    100.0 * delivered / Math.max(1, sent),
                    p50,
                    p99,
                    cpuMicros,
                    jitMicros,
                    passes() ? "" : "   <- over p99 50 ms or under 99.9 %");
        }
    }

    /** A ladder's result: its first step, passed or not, the highest rate that passed with its step, and every step run by rate. */
    record Ladder(Step first, int bestRate, Step best, Map<Integer, Step> steps) {
        static final Ladder NONE = new Ladder(null, 0, null, Map.of());

        double bestP99() {
            return best == null ? 0 : best.p99();
        }

        double bestCpu() {
            return best == null ? 0 : best.cpuMicros();
        }
    }

    interface StepAt {
        Step at(int rate) throws Exception;
    }

    /** The JIT's share of the node's CPU under which a warm-up step counts as warm. */
    static final double JIT_QUIET_SHARE = 0.05;

    /**
     * Warms the node up under load, unmeasured: {@code minSeconds} at {@code rate}, then more steps at that rate until one
     * spends under {@link #JIT_QUIET_SHARE} of the node's CPU in the JIT (at most two minutes). Waiting for the JIT to go quiet
     * at rest said nothing: with no load nothing compiles, and the first measured step paid for the rest. Returns the
     * seconds spent, which the Socket.IO peer is given too.
     */
    static int warmUnderLoad(StepAt step, int rate, int minSeconds) throws Exception {
        long start = System.nanoTime();
        Step last = null;
        while (System.nanoTime() - start < minSeconds * 1_000_000_000L
                || (last.jitMicros() > JIT_QUIET_SHARE * last.cpuMicros()
                        && System.nanoTime() - start < 120_000_000_000L)) {
            last = step.at(rate);
        }
        return (int) Math.round((System.nanoTime() - start) / 1e9);
    }

    /** Runs the rates in order, printing each step, and stops at the first that fails. */
    private static Ladder climb(int[] rates, StepAt step) throws Exception {
        Step first = null;
        int bestRate = 0;
        Step best = null;
        Map<Integer, Step> steps = new java.util.LinkedHashMap<>();
        for (int rate : rates) {
            Step result = step.at(rate);
            System.out.println(result.row(rate));
            steps.put(rate, result);
            first = first == null ? result : first;
            if (!result.passes()) {
                break;
            }
            bestRate = rate;
            best = result;
        }
        return new Ladder(first, bestRate, best, steps);
    }

    /** Appends {@code rate} events per second for {@code seconds} to random users' logs, from 32 paced publishers. */
    private static Step run(
            UserEvents events, List<UUID> users, int rate, int seconds, Recorder recorder, Gateway gateway)
            throws Exception {
        return paced(rate, seconds, recorder, gateway, () -> {
            UUID user = users.get(ThreadLocalRandom.current().nextInt(users.size()));
            events.publish(user, "bench", Map.of("t", System.nanoTime()));
        });
    }

    /**
     * Sends {@code rate} messages per second for {@code seconds} through {@code POST /v1/couple/messages}, each
     * from a random couple's first partner, from 32 paced senders; the partner's WebSocket records them.
     */
    private static Step sendThroughApi(
            HttpClient http,
            int port,
            List<Couples.Pair> pairs,
            int rate,
            int seconds,
            Recorder recorder,
            Gateway gateway)
            throws Exception {
        return paced(rate, seconds, recorder, gateway, () -> {
            Couples.Pair pair = pairs.get(ThreadLocalRandom.current().nextInt(pairs.size()));
            String body = "{\"clientId\":\"" + UUID.randomUUID() + "\",\"text\":\"bench-t=" + System.nanoTime() + "\"}";
            try {
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/couple/messages"))
                                .header("Authorization", "Bearer " + pair.a().token())
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (Exception e) {
                // counted as undelivered
            }
        });
    }

    /**
     * One step of a ladder: {@code send} called {@code rate} times per second for {@code seconds}, spread over 32
     * paced virtual threads, then 1.5 s for the last deliveries; latencies from {@code recorder}, node CPU (and
     * the JIT's part of it) per delivered event from the gateway's /proc.
     */
    private static Step paced(int rate, int seconds, Recorder recorder, Gateway gateway, Runnable send)
            throws Exception {
        recorder.reset();
        long cpuBefore = gateway.cpuTicks();
        long jitBefore = gateway.jitTicks();
        int senders = 32;
        AtomicLong sent = new AtomicLong();
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < senders; p++) {
            int index = p;
            threads.add(Thread.ofVirtual().start(() -> {
                long mine = total / senders + (index < total % senders ? 1 : 0);
                double interval = 1e9 * senders / rate;
                for (long i = 0; i < mine; i++) {
                    long due = start + (long) (i * interval) + (long) (index * interval / senders);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    send.run();
                    sent.incrementAndGet();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Thread.sleep(1500);
        long cpu = gateway.cpuTicks() - cpuBefore;
        long jit = gateway.jitTicks() - jitBefore;
        long[] latencies = recorder.snapshot();
        Arrays.sort(latencies);
        double p50 = latencies.length == 0 ? Double.NaN : latencies[latencies.length / 2] / 1e6;
        double p99 = latencies.length == 0
                ? Double.NaN
                : latencies[(int) Math.min(latencies.length - 1, latencies.length * 0.99)] / 1e6;
        return new Step(
                sent.get(),
                latencies.length,
                p50,
                p99,
                cpu * (1e6 / 100) / Math.max(1, latencies.length),
                jit * (1e6 / 100) / Math.max(1, latencies.length));
    }

    /** Latencies (publish → client) of the current step. */
    static final class Recorder {
        private long[] values = new long[1 << 16];
        private int size;

        synchronized void record(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        synchronized void reset() {
            size = 0;
        }

        synchronized long[] snapshot() {
            return Arrays.copyOf(values, size);
        }

        void frame(String text) {
            int api = text.indexOf("bench-t=");
            if (api >= 0 && text.contains("\"message.created\"")) {
                int end = api + 8;
                while (end < text.length() && Character.isDigit(text.charAt(end))) {
                    end++;
                }
                record(System.nanoTime() - Long.parseLong(text.substring(api + 8, end)));
            } else if (text.contains("\"bench\"")) {
                Matcher sentAt = SENT_AT.matcher(text);
                if (sentAt.find()) {
                    record(System.nanoTime() - Long.parseLong(sentAt.group(1)));
                }
            }
        }
    }

    static final class Client implements WebSocket.Listener {
        final UUID user = UUID.randomUUID();
        final AtomicBoolean open = new AtomicBoolean();
        final Recorder recorder;
        WebSocket socket;
        private final StringBuilder partial = new StringBuilder();

        Client(Recorder recorder) {
            this.recorder = recorder;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            open.set(true);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (recorder != null) {
                partial.append(data);
                if (last) {
                    recorder.frame(partial.toString());
                    partial.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            open.set(false);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            open.set(false);
        }

        void close() {
            if (socket != null) {
                socket.abort();
            }
        }
    }

    /** Connections per client source address: one address has ~28,000 ephemeral ports, fewer while earlier runs' are in TIME_WAIT. */
    private static final int PER_SOURCE_ADDRESS = 10_000;

    /**
     * Opens {@code count} WebSockets to 127.0.0.1:{@code port}, from {@code from} when given, else from fresh random
     * loopback addresses (127.x.y.z, a new one every {@value #PER_SOURCE_ADDRESS} connections), so that the ports a
     * previous run left in TIME_WAIT on one address never run this one out of ports.
     */
    static List<Client> connectAll(int port, int count, Recorder recorder, java.net.InetAddress from) throws Exception {
        List<HttpClient> https = new ArrayList<>();
        for (int i = 0;
                i < (from != null ? 1 : Math.max(1, (count + PER_SOURCE_ADDRESS - 1) / PER_SOURCE_ADDRESS));
                i++) {
            https.add(HttpClient.newBuilder()
                    .executor(Executors.newFixedThreadPool(2))
                    .localAddress(from != null ? from : freshLoopback())
                    .build());
        }
        Semaphore inFlight = new Semaphore(100);
        List<Client> clients = new ArrayList<>();
        List<CompletableFuture<?>> connects = new ArrayList<>();
        AtomicInteger failed = new AtomicInteger();
        Map<String, Integer> why = new java.util.concurrent.ConcurrentHashMap<>();
        for (int i = 0; i < count; i++) {
            Client client = new Client(recorder);
            clients.add(client);
            inFlight.acquire();
            String token = Jwts.hs256(People.TEST_SECRET, client.user, 3600);
            HttpClient http = https.get(from != null ? 0 : i / PER_SOURCE_ADDRESS);
            connects.add(http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/realtime?token=" + token), client)
                    .whenComplete((socket, error) -> {
                        client.socket = socket;
                        if (error != null) {
                            failed.incrementAndGet();
                            Throwable cause = error.getCause() != null ? error.getCause() : error;
                            why.merge(cause.getClass().getSimpleName() + ": " + cause.getMessage(), 1, Integer::sum);
                        }
                        inFlight.release();
                    }));
        }
        CompletableFuture.allOf(
                        connects.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
                .get(300, TimeUnit.SECONDS);
        if (failed.get() > 0) {
            System.out.println("  (" + failed.get() + " of " + count + " connects failed: " + why + ")");
        }
        return clients;
    }

    /** Opens {@code count} connections and drops them, then waits for the node to close them and for its JIT to settle. */
    static void warmUp(Gateway gateway, int count) throws Exception {
        connectAll(gateway.port(), count, null, null).forEach(Client::close);
        Thread.sleep(5000);
        gateway.awaitJitQuiet(60);
    }

    static java.net.InetAddress freshLoopback() throws java.net.UnknownHostException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return java.net.InetAddress.getByAddress(new byte[] {
            127, (byte) random.nextInt(16, 250), (byte) random.nextInt(0, 256), (byte) random.nextInt(1, 255)
        });
    }

    private static List<UUID> startPollers(int port, int count, Recorder recorder, AtomicBoolean running)
            throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .executor(Executors.newFixedThreadPool(2))
                .build();
        List<UUID> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            UUID user = UUID.randomUUID();
            users.add(user);
            String token = Jwts.hs256(People.TEST_SECRET, user, 3600);
            Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<String> created = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/realtime/sessions"))
                                    .header("Authorization", "Bearer " + token)
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    String sid = created.body().replaceAll(".*\"sid\":\"([^\"]+)\".*", "$1");
                    long after = 0;
                    while (running.get()) {
                        HttpResponse<String> answer = http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/realtime/sessions/"
                                                + sid + "/events?after=" + after))
                                        .header("Authorization", "Bearer " + token)
                                        .timeout(Duration.ofSeconds(60))
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        String body = answer.body();
                        Matcher seq = Pattern.compile("\\{\"seq\":(\\d+),\"type\":\"([a-z.]+)\",\"data\":(\\{[^}]*\\})")
                                .matcher(body);
                        while (seq.find()) {
                            after = Math.max(after, Long.parseLong(seq.group(1)));
                            recorder.frame("\"" + seq.group(2) + "\"" + seq.group(3));
                        }
                    }
                } catch (Exception e) {
                    // counted as undelivered
                }
            });
        }
        return users;
    }

    /** A node's CPU at rest, ms a second: all of it, and its JIT compiler threads' part. */
    record Rest(double cpuMs, double jitMs) {}

    /** The gateway node under test, in its own JVM. */
    record Gateway(Process process, int port, PrintWriter commands, java.util.concurrent.BlockingQueue<Long> heaps) {
        static Gateway start() throws Exception {
            return start("bench-gateway");
        }

        /** A node with production timeouts whose output goes to {@code bench/target/NAME.log}. */
        static Gateway start(String name) throws Exception {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // A node's heap is sized up front and resident (as a production node runs): RSS then moves only with memory
            // outside it.
            List<String> command = new ArrayList<>(List.of(
                    java,
                    "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow",
                    "-Xmx1g",
                    "-Xms1g",
                    "-XX:+AlwaysPreTouch"));
            // e.g. -XX:StartFlightRecording=... to profile the node under the benchmark's load, or another collector
            String extra = System.getenv("DUET_BENCH_GATEWAY_OPTS");
            if (extra == null || !extra.matches(".*-XX:\\+Use\\w+GC.*")) {
                command.add("-XX:+UseSerialGC");
            }
            if (extra != null && !extra.isBlank()) {
                command.addAll(List.of(extra.trim().split("\\s+")));
            }
            command.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    GatewayProcess.class.getName(),
                    "bench-" + UUID.randomUUID().toString().substring(0, 8),
                    "duet.realtime.connect-burst=100"));
            Path log = Path.of("bench", "target", name + ".log");
            Files.createDirectories(log.getParent());
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream()));
            String line;
            List<String> before = new ArrayList<>();
            while ((line = output.readLine()) != null) {
                before.add(line);
                if (line.startsWith("PORT ")) {
                    int port = Integer.parseInt(line.substring(5).trim());
                    // The node's output is read all the time (into a file): a full pipe would block its logging
                    // threads.
                    var heaps = new java.util.concurrent.LinkedBlockingQueue<Long>();
                    Thread.ofPlatform().daemon().name("gateway-output").start(() -> {
                        try (PrintWriter file = new PrintWriter(Files.newBufferedWriter(log))) {
                            String next;
                            while ((next = output.readLine()) != null) {
                                if (next.startsWith("HEAP ")) {
                                    heaps.add(Long.parseLong(next.substring(5).trim()));
                                } else {
                                    file.println(next);
                                }
                            }
                        } catch (java.io.IOException e) {
                            // the node is gone
                        }
                    });
                    System.out.println("  (the node's own output goes to " + log + ")");
                    return new Gateway(process, port, new PrintWriter(process.getOutputStream(), true), heaps);
                }
            }
            throw new IllegalStateException("gateway did not start:\n"
                    + String.join("\n", before.subList(Math.max(0, before.size() - 20), before.size())));
        }

        long heap() throws Exception {
            commands.println("heap");
            Long heap = heaps.poll(60, TimeUnit.SECONDS);
            if (heap == null) {
                throw new IllegalStateException("gateway gone");
            }
            return heap;
        }

        /**
         * With {@code -XX:NativeMemoryTracking=summary} in {@code DUET_BENCH_GATEWAY_OPTS}: runs {@code jcmd PID
         * VM.native_memory COMMAND} on the node and returns its output (the lines that changed, for a diff); else "".
         */
        String nativeMemory(String command) throws Exception {
            String options = System.getenv("DUET_BENCH_GATEWAY_OPTS");
            if (options == null || !options.contains("NativeMemoryTracking")) {
                return "";
            }
            String jcmd =
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            Process run = new ProcessBuilder(jcmd, Long.toString(process.pid()), "VM.native_memory", command)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(run.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            run.waitFor(60, TimeUnit.SECONDS);
            return out.lines()
                    .filter(line -> line.contains("committed=") && line.matches(".*[+-]\\d+KB.*"))
                    .collect(java.util.stream.Collectors.joining("\n"));
        }

        /** Resident memory not backed by a file (heap, native allocations, stacks), and the live heap after a full GC. */
        Memory memory() throws Exception {
            long heap = heap();
            return new Memory(ProcStat.statusKb(process.pid(), "RssAnon"), heap);
        }

        /** The node's CPU over {@code seconds} with nothing sent (heartbeats, timers, refreshes, and the JIT's share of it). */
        Rest rest(int seconds) throws Exception {
            long cpu = cpuTicks();
            long jit = jitTicks();
            Thread.sleep(seconds * 1000L);
            return new Rest((cpuTicks() - cpu) * 10.0 / seconds, (jitTicks() - jit) * 10.0 / seconds);
        }

        /** CPU of the gateway's JIT compiler threads, in clock ticks: reported apart, it is a start-up cost. */
        long jitTicks() throws Exception {
            return ProcStat.cpuTicksByThread(process.pid(), name -> name.contains("CompilerThre") ? "jit" : "other")
                    .getOrDefault("jit", 0L);
        }

        /** Waits (at most {@code maxSeconds}) until the JIT used under 5 % of a core for 3 s: steady state. */
        void awaitJitQuiet(int maxSeconds) throws Exception {
            long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                long before = jitTicks();
                Thread.sleep(3000);
                if (jitTicks() - before < 15) {
                    return;
                }
            }
            System.out.println("  (the JIT was still compiling after " + maxSeconds + " s)");
        }

        /** utime + stime of the gateway process, in clock ticks (1/100 s). */
        long cpuTicks() throws Exception {
            return ProcStat.cpuTicks(process.pid());
        }
    }

    /** Most idle connections (f) asks of one node and of one client process: a process may hold 20,000 files here. */
    static final int CLUSTER_PER_NODE_MAX = 19_000;

    record Cluster(int open, PerConnection warmed, PerConnection cold, double seconds) {}

    /**
     * (f) {@code target} idle WebSockets spread over three nodes, each node in its own JVM and its clients in a process of
     * their own ({@link IdleClients}), each from its own loopback address: one source address has only ~28,000 ports.
     * Like (a), each node is warmed up by a round of connections opened and dropped before it is measured.
     */
    private static Cluster cluster(int target) throws Exception {
        System.out.printf(Locale.ROOT, "%n(f) %,d idle WebSockets over three nodes%n", target);
        List<Gateway> nodes = new ArrayList<>();
        List<Process> clients = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                nodes.add(Gateway.start("bench-cluster-node" + i));
            }
            List<Memory> cold = new ArrayList<>();
            for (Gateway node : nodes) {
                cold.add(node.memory());
            }
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            int perNode = (target + 2) / 3;
            List<String> sources = new ArrayList<>();
            List<BufferedReader> outputs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int count = Math.min(perNode, target - i * perNode);
                sources.add(freshLoopback().getHostAddress());
                Process client = new ProcessBuilder(
                                java,
                                "-Xmx1500m",
                                "-XX:+UseSerialGC",
                                "-cp",
                                System.getProperty("java.class.path"),
                                IdleClients.class.getName(),
                                Integer.toString(nodes.get(i).port()),
                                sources.get(i),
                                Integer.toString(count))
                        .redirectErrorStream(true)
                        .start();
                clients.add(client);
                outputs.add(new BufferedReader(new InputStreamReader(client.getInputStream())));
            }
            awaitCounts(outputs, "WARM");
            Thread.sleep(5000);
            for (Gateway node : nodes) {
                node.awaitJitQuiet(60);
            }
            List<Memory> warm = new ArrayList<>();
            for (Gateway node : nodes) {
                warm.add(node.memory());
            }
            long started = System.nanoTime();
            for (Process client : clients) {
                new PrintWriter(client.getOutputStream(), true).println("more");
            }
            int[] open = awaitCounts(outputs, "OPEN ");
            double seconds = (System.nanoTime() - started) / 1e9;
            for (BufferedReader out : outputs) {
                Thread.ofPlatform().daemon().start(() -> out.lines().forEach(rest -> {})); // keep its pipe drained
            }
            for (Gateway node : nodes) {
                node.awaitJitQuiet(60);
            }
            int total = 0;
            List<Memory> after = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                after.add(nodes.get(i).memory());
                System.out.printf(
                        Locale.ROOT,
                        "    node %d: %,d connections from %s: %s (%.2f KB with its warm-up)%n",
                        i + 1,
                        open[i],
                        sources.get(i),
                        after.get(i).minus(warm.get(i), open[i]),
                        after.get(i).minus(cold.get(i), open[i]).totalKb());
                total += open[i];
            }
            PerConnection warmed = Memory.sum(after).minus(Memory.sum(warm), total);
            PerConnection withWarmUp = Memory.sum(after).minus(Memory.sum(cold), total);
            System.out.printf(
                    Locale.ROOT,
                    "    all three: %,d of %,d open, connected in %.1f s%n      per connection on the warmed nodes: %s%n"
                            + "      per connection with the nodes' warm-up counted in: %s%n",
                    total,
                    target,
                    seconds,
                    warmed,
                    withWarmUp);
            return new Cluster(total, warmed, withWarmUp, seconds);
        } finally {
            clients.forEach(Process::destroy);
            for (Gateway node : nodes) {
                node.process().destroy();
                node.process().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Reads each client process's output up to its line starting with {@code prefix}; returns the counts on them. */
    private static int[] awaitCounts(List<BufferedReader> outputs, String prefix) throws Exception {
        int[] counts = new int[outputs.size()];
        for (int i = 0; i < outputs.size(); i++) {
            String line;
            while ((line = outputs.get(i).readLine()) != null && !line.startsWith(prefix)) {
                System.out.println("    client " + (i + 1) + ": " + line);
            }
            String number = line == null ? "" : line.substring(prefix.length()).trim();
            counts[i] = number.isEmpty() ? 0 : Integer.parseInt(number);
        }
        return counts;
    }

    /** What the Socket.IO peer measured: its RESULT keys, and its server CPU per message (µs) by rate on each ladder. */
    record Peer(String summary, Map<Integer, Double> wsCpu, Map<Integer, Double> lpCpu) {
        static final Peer SKIPPED = new Peer("peer=skipped", Map.of(), Map.of());
    }

    /**
     * Prints, for every rate both ladders ran, Duet's node CPU per event beside Socket.IO's servers' and the ratio (how many
     * times Socket.IO's CPU per message Duet's is), and returns them as a RESULT key, e.g. {@code ws_cpu_ratio=1000:2.10,2000:2.80}.
     */
    private static String compare(String name, Ladder duet, Map<Integer, Double> peer) {
        StringBuilder key = new StringBuilder();
        for (var entry : duet.steps().entrySet()) {
            Double theirs = peer.get(entry.getKey());
            if (theirs == null || entry.getValue().cpuMicros() <= 0) {
                continue;
            }
            double ratio = theirs / entry.getValue().cpuMicros();
            if (key.isEmpty()) {
                System.out.printf(
                        Locale.ROOT,
                        "%s: node CPU per event at the same rate, Duet vs Socket.IO (its two servers)%n",
                        name);
            }
            System.out.printf(
                    Locale.ROOT,
                    "  %6d/s  Duet %8.1f µs  Socket.IO %8.1f µs  → %.2fx its events per CPU-second%n",
                    entry.getKey(),
                    entry.getValue().cpuMicros(),
                    theirs,
                    ratio);
            key.append(key.isEmpty() ? "" : ",")
                    .append(entry.getKey())
                    .append(':')
                    .append(String.format(Locale.ROOT, "%.2f", ratio));
        }
        return key.isEmpty() ? "" : " " + name + "_cpu_ratio=" + key;
    }

    /** The peer's keys for its server CPU per message at one rate of a ladder: wsCpu1000, lpCpu250, ... */
    private static final Pattern PEER_CPU_AT_RATE = Pattern.compile("(ws|lp)Cpu(\\d+)");

    /** Runs bench/peers/socketio/peer.js (its rows go to our output) and turns its summary into RESULT keys. */
    private static Peer socketIoPeer(
            int idle,
            int couples,
            int pollCouples,
            int seconds,
            String rates,
            String pollRates,
            int wsWarmSeconds,
            int pollWarmSeconds)
            throws Exception {
        String redis = TestRedis.uri();
        Process node = new ProcessBuilder(
                        "node",
                        "bench/peers/socketio/peer.js",
                        Integer.toString(Math.min(idle, 10_000)),
                        Integer.toString(couples),
                        Integer.toString(pollCouples),
                        Integer.toString(seconds),
                        rates,
                        pollRates,
                        Integer.toString(wsWarmSeconds),
                        Integer.toString(pollWarmSeconds))
                .redirectErrorStream(true)
                .start();
        node.getOutputStream().close();
        String summary = "peer=missing";
        Map<Integer, Double> wsCpu = new java.util.HashMap<>();
        Map<Integer, Double> lpCpu = new java.util.HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("PEER ")) {
                    Map<String, Object> peer = parseFlat(line.substring(5));
                    peer.forEach((key, value) -> {
                        Matcher perRate = PEER_CPU_AT_RATE.matcher(key);
                        if (perRate.matches()) {
                            (perRate.group(1).equals("ws") ? wsCpu : lpCpu)
                                    .put(Integer.parseInt(perRate.group(2)), Double.parseDouble(value.toString()));
                        }
                    });
                    summary = String.format(
                            Locale.ROOT,
                            "sio_idle_conns=%s sio_rss_kb_per_conn=%.2f sio_heap_kb_per_conn=%.2f sio_ws_max_rate=%s "
                                    + "sio_ws_p99_ms=%.1f sio_ws_cpu_us_per_msg=%.1f sio_lp_max_rate=%s sio_lp_p99_ms=%.1f "
                                    + "sio_ws_first_rate=%s sio_ws_first_p99_ms=%.1f sio_ws_first_cpu_us=%.1f sio_ws_first_delivered_pct=%.2f "
                                    + "sio_lp_first_rate=%s sio_lp_first_p99_ms=%.1f sio_lp_first_cpu_us=%.1f sio_lp_first_delivered_pct=%.2f",
                            peer.get("idle"),
                            num(peer, "rssKbPerConn"),
                            num(peer, "heapKbPerConn"),
                            peer.get("wsMaxRate"),
                            num(peer, "wsP99"),
                            num(peer, "wsCpuUs"),
                            peer.get("lpMaxRate"),
                            num(peer, "lpP99"),
                            peer.get("wsFirstRate"),
                            num(peer, "wsFirstP99"),
                            num(peer, "wsFirstCpuUs"),
                            num(peer, "wsFirstDelivered"),
                            peer.get("lpFirstRate"),
                            num(peer, "lpFirstP99"),
                            num(peer, "lpFirstCpuUs"),
                            num(peer, "lpFirstDelivered"));
                } else {
                    System.out.println(line);
                }
            }
        }
        node.waitFor(60, TimeUnit.SECONDS);
        return new Peer(summary, wsCpu, lpCpu);
    }

    private static Map<String, Object> parseFlat(String json) {
        Map<String, Object> values = new java.util.HashMap<>();
        Matcher pair = Pattern.compile("\"(\\w+)\":(-?[0-9.eE+-]+|null)").matcher(json);
        while (pair.find()) {
            values.put(pair.group(1), pair.group(2).equals("null") ? "0" : pair.group(2));
        }
        return values;
    }

    private static double num(Map<String, Object> values, String key) {
        Object value = values.get(key);
        return value == null ? Double.NaN : Double.parseDouble(value.toString());
    }

    private static long memTotalKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return flags;
    }
}

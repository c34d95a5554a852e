package io.duet.rehearsal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures this machine through the stack before the load: one password hash (a sign-in is one argon2id
 * verification; after {@value #WARM_UP} untimed sign-ins, timed five times, the median kept) and one resize (an avatar upload until its variants
 * are ready). The spike's peak is then capped so the stack keeps headroom on a shared machine: hashing
 * may take at most {@value #HASH_SHARE} of the cores, and each new user costs two hashes (signup, sign-in).
 * The rest is for what else a new user costs: the API's own work (its CPU per signup was 1.3x its two hashes
 * in a full run), the workers, PostgreSQL, and the load generator on the same cores. At 0.4 a full run's peak
 * queued sign-ins behind the cores (p99 9 s outside fault windows).
 */
record Preflight(double hashMillis, double firstHashMillis, double resizeMillis, int cores) {
    static final double HASH_SHARE = 0.3;
    /** Sign-ins before the timed ones, over both API nodes. */
    static final int WARM_UP = 6;

    private static final ObjectMapper JSON = new ObjectMapper();

    double peakSignupsPerSecond() {
        return HASH_SHARE * cores / (2 * hashMillis / 1000.0);
    }

    String describe() {
        return String.format(
                Locale.ROOT,
                "preflight: one hash (sign-in) %.0f ms (the first, untimed: %.0f ms), one resize %.0f ms, %d cores -> peak cap %.2f signups/s",
                hashMillis,
                firstHashMillis,
                resizeMillis,
                cores,
                peakSignupsPerSecond());
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    static Preflight measure(HttpClient http, String api, String jdbcUrl) throws Exception {
        String email;
        try (var c = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "");
                var rs = c.createStatement().executeQuery("SELECT email FROM account ORDER BY email DESC LIMIT 1")) {
            rs.next();
            email = rs.getString(1);
        }
        // The first sign-ins of a fresh node run before the JIT has compiled the hash: they warm both nodes and
        // are not timed (the report shows the first one beside the median).
        double[] times = new double[WARM_UP + 5];
        String token = null;
        for (int i = 0; i < times.length; i++) {
            long t0 = System.nanoTime();
            // A client per sign-in: a new connection, which the balancer gives to the next node (one kept-alive
            // connection would warm and time one node only).
            HttpResponse<String> r = newClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(api + "/v1/sessions"))
                                    .header("Content-Type", "application/json")
                                    .header("X-Forwarded-For", "192.168.99." + i)
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"email\":\"" + email + "\",\"password\":\"duet-datagen-password\"}"))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            times[i] = (System.nanoTime() - t0) / 1e6;
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("preflight sign-in answered " + r.statusCode() + ": " + r.body());
            }
            token = JSON.readTree(r.body()).path("accessToken").asText();
        }
        double[] timed = Arrays.copyOfRange(times, WARM_UP, times.length);
        Arrays.sort(timed);
        long t0 = System.nanoTime();
        HttpResponse<String> upload = http.send(
                HttpRequest.newBuilder(URI.create(api + "/v1/media?kind=avatar"))
                        .header("Content-Type", "image/jpeg")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Images.jpeg(1024, 768)))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String id = JSON.readTree(upload.body()).path("id").asText();
        double resize = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(api + "/v1/media/" + id))
                            .header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.body().contains("\"ready\"")) {
                resize = (System.nanoTime() - t0) / 1e6;
                break;
            }
            Thread.sleep(50);
        }
        return new Preflight(
                timed[timed.length / 2], times[0], resize, Runtime.getRuntime().availableProcessors());
    }
}

package io.duet.api.testing;

/** The Redis the tests and benchmarks share: {@code DUET_REDIS_URI}, or the local one on 6379. */
public final class TestRedis {
    private TestRedis() {}

    public static String uri() {
        String uri = System.getenv("DUET_REDIS_URI");
        return uri == null || uri.isBlank() ? "redis://127.0.0.1:6379/0" : uri;
    }
}

package io.duet.local;

import java.nio.file.Path;

/**
 * What the launcher reads before Micronaut starts. The probes are where it looks for a PostgreSQL and a
 * Redis already on this machine; tests point them at closed ports to force the embedded servers.
 *
 * @param dataDir embedded servers' data and the local ops token; {@code duet.local.data-dir}, default {@code .duet}
 */
record LocalSettings(
        Path dataDir,
        String postgresProbe,
        String redisProbe,
        int embeddedPostgresPort,
        int embeddedRedisPort,
        int smtpPort) {

    static LocalSettings fromEnvironment() {
        return new LocalSettings(
                Path.of(System.getProperty("duet.local.data-dir", ".duet")).toAbsolutePath(),
                System.getProperty("duet.local.postgres-probe", "127.0.0.1:5432"),
                System.getProperty("duet.local.redis-probe", "127.0.0.1:6379"),
                Integer.getInteger("duet.local.embedded-postgres-port", 54329),
                Integer.getInteger("duet.local.embedded-redis-port", 63799),
                Integer.getInteger("duet.local.smtp-port", 2525));
    }

    static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        return value == null || value.isBlank() ? null : value;
    }
}

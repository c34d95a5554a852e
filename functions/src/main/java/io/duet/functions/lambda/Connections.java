package io.duet.functions.lambda;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.duet.api.redis.ReconnectableRedis;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Named;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The function's connections to PostgreSQL and Redis, managed for Lambda's life cycle: opened during
 * init (so the first request does not pay for them), checked before an invocation that follows a pause
 * long enough for the environment to have been frozen (sockets of a thawed environment may have been
 * closed by the server, a NAT or RDS Proxy meanwhile), closed before a SnapStart snapshot and reopened
 * after the restore.
 */
@Context
@Requires(env = "lambda")
class Connections {
    private static final Logger LOG = LoggerFactory.getLogger(Connections.class);

    private final HikariDataSource database;
    private final RedissonClient redis;
    private final ReconnectableRedis connection;
    private final long freezeCheckAfterNanos;
    private volatile long lastInvocationEnd;
    private volatile int checks;

    Connections(
            @Named("default") DataSource dataSource,
            RedissonClient redis,
            ReconnectableRedis connection,
            FunctionConfig config) {
        this.database = hikari(dataSource);
        this.redis = redis;
        this.connection = connection;
        this.freezeCheckAfterNanos = config.freezeCheckAfter().toNanos();
    }

    @PostConstruct
    void open() {
        checkDatabase();
        checkRedis();
    }

    void beforeInvocation() {
        long last = lastInvocationEnd;
        if (last != 0 && System.nanoTime() - last > freezeCheckAfterNanos) {
            checks++;
            checkDatabase();
            checkRedis();
        }
    }

    void afterInvocation() {
        lastInvocationEnd = System.nanoTime();
    }

    /** How many post-pause checks ran (for tests). */
    int checks() {
        return checks;
    }

    /**
     * Before a snapshot: the pool stops handing out connections and closes its idle ones, and the Redis
     * client is shut down (its facade builds a new one on the next call).
     */
    void close() {
        HikariPoolMXBean pool = database.getHikariPoolMXBean();
        pool.suspendPool();
        pool.softEvictConnections();
        connection.disconnect();
        LOG.info("connections closed for the snapshot");
    }

    /** After a restore: the pool serves again, and both connections are opened before the first request. */
    void reopen() {
        database.getHikariPoolMXBean().resumePool();
        open();
        LOG.info("connections reopened after the restore");
    }

    int openDatabaseConnections() {
        return database.getHikariPoolMXBean().getTotalConnections();
    }

    private void checkDatabase() {
        // Hikari itself validates only connections idle for more than half a second, so a short freeze
        // would hand the request a dead one: validate explicitly, and replace it before the request runs.
        try {
            for (int attempt = 0; attempt < 2; attempt++) {
                try (Connection connection = database.getConnection()) {
                    if (connection.isValid(1)) {
                        return;
                    }
                    database.evictConnection(connection);
                }
            }
        } catch (SQLException e) {
            LOG.atWarn()
                    .addKeyValue("cause", e.getClass().getSimpleName())
                    .log("PostgreSQL not reachable; requests will retry");
        }
    }

    private void checkRedis() {
        if (ping()) {
            return;
        }
        // A dead socket can keep Redisson waiting for a command timeout before it reconnects: start over.
        connection.reconnect();
        if (!ping()) {
            // Not fatal: the API keeps accepting work into the outbox while Redis is away.
            LOG.warn("Redis not reachable; jobs wait in the outbox");
        }
    }

    private boolean ping() {
        try {
            return redis.getRedisNodes(RedisNodes.SINGLE).getInstance().ping(1, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static HikariDataSource hikari(DataSource dataSource) {
        if (dataSource instanceof HikariDataSource hikari) {
            return hikari;
        }
        try {
            return dataSource.unwrap(HikariDataSource.class);
        } catch (SQLException e) {
            throw new IllegalStateException("the default data source is not a Hikari pool", e);
        }
    }
}

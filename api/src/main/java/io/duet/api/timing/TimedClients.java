package io.duet.api.timing;

import com.zaxxer.hikari.HikariDataSource;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.annotation.Order;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Set;
import javax.sql.DataSource;
import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;

/**
 * With {@code duet.http.server-timing} on, the database and Redis clients every bean gets are timed: the
 * {@link DataSource} times statement executions, commits and rollbacks; the {@link RedissonClient} times each
 * command on the objects it hands out (a stream, a script, a batch's {@code execute}). Asynchronous calls are not
 * counted: a batch's commands are, once, in its {@code execute}. The pool, its metrics and {@code unwrap} are the
 * real ones underneath. Only the pool itself is wrapped, never Micronaut's contextual data source over it.
 */
final class TimedClients {
    private static final Set<String> SQL_CALLS = Set.of("commit", "rollback");

    private TimedClients() {}

    static DataSource timed(DataSource dataSource) {
        return TimedCalls.wrap(
                DataSource.class,
                dataSource,
                RequestTimings.Kind.SQL,
                type -> type == Connection.class || Statement.class.isAssignableFrom(type),
                TimedClients::notSql);
    }

    static RedissonClient timed(RedissonClient redis) {
        return TimedCalls.wrap(
                RedissonClient.class,
                redis,
                RequestTimings.Kind.REDIS,
                type -> type.getPackageName().equals("org.redisson.api") && !RFuture.class.isAssignableFrom(type),
                method -> RFuture.class.isAssignableFrom(method.getReturnType()));
    }

    /** Calls that send nothing to PostgreSQL: everything but executions, commits and rollbacks. */
    private static boolean notSql(Method method) {
        return !(method.getName().startsWith("execute") || SQL_CALLS.contains(method.getName()));
    }

    /**
     * First among the data source's listeners: Micronaut Data wraps the pool in a contextual proxy of its own in
     * another listener, and the order of two unordered listeners changes with what the JVM loaded before (a
     * second context saw only the proxy and timed nothing).
     */
    @Singleton
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @Requires(property = ServerTimingFilter.SETTING, value = "true")
    static final class TimedDataSource implements BeanCreatedEventListener<DataSource> {
        @Override
        public DataSource onCreated(BeanCreatedEvent<DataSource> event) {
            // The pool only: Micronaut Data also has DataSource beans of its own (the transaction's contextual
            // connection), whose connections must reach it unwrapped.
            return event.getBean() instanceof HikariDataSource pool ? timed(pool) : event.getBean();
        }
    }

    @Singleton
    @Requires(property = ServerTimingFilter.SETTING, value = "true")
    static final class TimedRedis implements BeanCreatedEventListener<RedissonClient> {
        @Override
        public RedissonClient onCreated(BeanCreatedEvent<RedissonClient> event) {
            return timed(event.getBean());
        }
    }
}

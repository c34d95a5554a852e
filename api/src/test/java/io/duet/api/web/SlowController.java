package io.duet.api.web;

import io.micronaut.context.annotation.Requires;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

/** Holds a database connection for a while: what the overload tests need to exhaust a pool. */
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/test/slow")
@Requires(env = "test")
@ExecuteOn(TaskExecutors.BLOCKING)
class SlowController {
    private final Sleeper sleeper;

    SlowController(Sleeper sleeper) {
        this.sleeper = sleeper;
    }

    @Get
    String sleep(@QueryValue double seconds) {
        sleeper.sleep(seconds);
        return "slept";
    }

    @Singleton
    @Requires(env = "test")
    static class Sleeper {
        private final JdbcOperations jdbc;

        Sleeper(JdbcOperations jdbc) {
            this.jdbc = jdbc;
        }

        @Transactional
        void sleep(double seconds) {
            jdbc.prepareStatement("SELECT pg_sleep(?)", statement -> {
                statement.setDouble(1, seconds);
                return statement.execute();
            });
        }
    }
}

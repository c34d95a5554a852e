package io.duet.api.couple;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link CoupleService#sweep()} on every node; the deletes are idempotent, so nodes may overlap. Not in
 * a Lambda function (environment {@code function}): nothing may run there between invocations, and the
 * worker nodes sweep.
 */
@Singleton
@Requires(notEnv = Environment.FUNCTION)
class CoupleSweep {
    private static final Logger LOG = LoggerFactory.getLogger(CoupleSweep.class);
    private final CoupleService couples;

    CoupleSweep(CoupleService couples) {
        this.couples = couples;
    }

    @Scheduled(initialDelay = "1m", fixedDelay = "${duet.couples.sweep-interval}")
    void run() {
        try {
            couples.sweep();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("couple sweep failed; retried next interval");
        }
    }
}

package io.duet.api.web;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Latency meters publish Prometheus histogram buckets (not client-side percentiles), so p50/p99 can be
 * aggregated across nodes: HTTP server requests, job handlers and the commit-to-start delay of jobs.
 */
@Factory
final class MetricsHistograms {

    @Singleton
    MeterFilter latencyHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                String name = id.getName();
                if (name.startsWith("http.server.requests") || name.startsWith("duet.queue.")) {
                    return DistributionStatisticConfig.builder()
                            .percentilesHistogram(true)
                            .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                            .maximumExpectedValue(
                                    (double) Duration.ofSeconds(60).toNanos())
                            .build()
                            .merge(config);
                }
                return config;
            }
        };
    }
}

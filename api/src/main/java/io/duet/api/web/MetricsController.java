package io.duet.api.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;

/** {@code GET /metrics}: every meter in the Prometheus text format, for scrapers and autoscaling. */
@Controller("/metrics")
final class MetricsController {
    private final PrometheusMeterRegistry registry;

    MetricsController(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @SecurityRequirements
    @Get
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    @Operation(summary = "Prometheus metrics: HTTP latency histograms, HikariCP pool, JVM, queues, outbox")
    String scrape() {
        return registry.scrape();
    }
}

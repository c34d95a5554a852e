package io.duet.services.gateway;

import io.micronaut.runtime.Micronaut;

/**
 * The realtime gateway as a service of its own: {@code java -jar duet-gateway-service.jar} with
 * PostgreSQL, Redis and the settings of DESIGN.md in the environment. It serves the two realtime
 * transports, {@code /health/*} and {@code /metrics}; the API only when {@code DUET_HTTP_SERVED_PATHS}
 * includes {@code /v1} (see {@code application-gateway.yml}). On SIGTERM the node drains: it stops taking
 * connections and tells each client to reconnect elsewhere after its own jittered delay, within
 * {@code duet.realtime.drain-grace}; the load balancer's deregistration delay should match that.
 */
public final class GatewayService {
    private GatewayService() {}

    public static void main(String[] args) {
        Micronaut.build(args)
                .mainClass(GatewayService.class)
                .environments("gateway")
                .banner(false)
                .start();
    }
}

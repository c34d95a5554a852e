package io.duet.media;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.endpoint.health.HealthEndpoint;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * {@code /health} details {@code decoders}: the image decoders the resize worker uses and the
 * libjpeg-turbo and libpng releases it found, so ops can see a host on an old library (which the
 * worker refuses, falling back to Java: slower, still correct). Always UP: the fallback works.
 */
@Singleton
@Requires(beans = HealthEndpoint.class)
final class NativeDecodersHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
    private final NativeDecoders decoders;

    NativeDecodersHealthIndicator(NativeDecoders decoders) {
        this.decoders = decoders;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        healthStatus = HealthStatus.UP;
        return decoders.details();
    }

    @Override
    protected String getName() {
        return "decoders";
    }
}

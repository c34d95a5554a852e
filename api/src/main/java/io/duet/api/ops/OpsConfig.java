package io.duet.api.ops;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * @param token {@code DUET_OPS_TOKEN}: the bearer token every {@code /ops/**} call must carry; when unset
 *     or blank, every ops call answers 401 (ops is closed, not open)
 */
@ConfigurationProperties("duet.ops")
public record OpsConfig(@Nullable String token) {}

package io.duet.api.media;

import io.micronaut.serde.annotation.Serdeable;
import java.util.UUID;

/** Payload of the {@value #QUEUE} queue, version 1: which media item to render. */
@Serdeable
public record ResizeJob(int v, UUID mediaId) {
    public static final String QUEUE = "media";

    static String payload(UUID mediaId) {
        return "{\"v\":1,\"mediaId\":\"" + mediaId + "\"}";
    }
}

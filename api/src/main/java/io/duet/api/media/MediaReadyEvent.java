package io.duet.api.media;

import io.micronaut.serde.annotation.Serdeable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Data of the {@code media.ready} event, sent to the owner and their partner: enough to show the image
 * without another status call.
 *
 * @param variants variant name to its URL
 */
@Serdeable
record MediaReadyEvent(UUID id, UUID ownerId, String kind, Map<String, String> variants) {

    static MediaReadyEvent of(Media item, List<MediaVariant> variants) {
        Map<String, String> urls = new LinkedHashMap<>();
        for (MediaVariant variant : variants) {
            urls.put(variant.name(), "/v1/media/" + item.id() + "/" + variant.name());
        }
        return new MediaReadyEvent(item.id(), item.ownerId(), item.kind(), urls);
    }
}

package io.duet.api.media;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A media item as its owner and partner see it.
 *
 * @param variants by name, smallest first; empty until ready
 * @param error why it failed (a code of PROBLEMS.md); null unless failed
 */
@Serdeable
record MediaResponse(UUID id, String kind, String status, Map<String, VariantResponse> variants, @Nullable String error) {

    @Serdeable
    record VariantResponse(int width, int height, long bytes, String contentType, String url) {}

    static MediaResponse of(Media media, List<MediaVariant> variants) {
        Map<String, VariantResponse> byName = new LinkedHashMap<>();
        for (MediaVariant variant : variants) {
            byName.put(variant.name(), new VariantResponse(variant.width(), variant.height(), variant.bytes(),
                    variant.contentType(), "/v1/media/" + media.id() + "/" + variant.name()));
        }
        return new MediaResponse(media.id(), media.kind(), media.status(), byName, media.error());
    }
}

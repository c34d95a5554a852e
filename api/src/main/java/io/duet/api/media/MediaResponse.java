package io.duet.api.media;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
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
record MediaResponse(
        @Schema(example = "3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c")
        UUID id,

        @Schema(example = "photo") String kind,
        @Schema(example = "ready") String status,
        Map<String, VariantResponse> variants,
        @Nullable String error) {

    @Serdeable
    record VariantResponse(
            @Schema(example = "1080") int width,
            @Schema(example = "810") int height,
            @Schema(example = "148213") long bytes,
            @Schema(example = "image/jpeg") String contentType,

            @Schema(example = "/v1/media/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/1080")
            String url) {}

    static MediaResponse of(Media media, List<MediaVariant> variants) {
        Map<String, VariantResponse> byName = new LinkedHashMap<>();
        for (MediaVariant variant : variants) {
            byName.put(
                    variant.name(),
                    new VariantResponse(
                            variant.width(),
                            variant.height(),
                            variant.bytes(),
                            variant.contentType(),
                            "/v1/media/" + media.id() + "/" + variant.name()));
        }
        return new MediaResponse(media.id(), media.kind(), media.status(), byName, media.error());
    }
}

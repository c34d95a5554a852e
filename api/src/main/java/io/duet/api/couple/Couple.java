package io.duet.api.couple;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.UUID;

/** Two accounts' shared space; {@code lastSeq} is the last message seq handed out. */
@MappedEntity("couple")
record Couple(
        @Id UUID id,
        String homeRegion,
        Instant createdAt,
        @Nullable Instant endedAt,
        long lastSeq) {}

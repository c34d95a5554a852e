package io.duet.api.couple;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.UUID;

/** An open invite: the code (stored form) one account hands its partner. */
@MappedEntity("couple_invite")
record Invite(@Id String code, UUID accountId, Instant createdAt, Instant expiresAt) {}

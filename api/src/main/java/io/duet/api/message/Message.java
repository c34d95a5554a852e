package io.duet.api.message;

import java.time.Instant;
import java.util.UUID;

/** One message of a couple; {@code seq} orders the couple's messages without gaps. */
record Message(long seq, UUID clientId, UUID senderId, String text, Instant createdAt) {}

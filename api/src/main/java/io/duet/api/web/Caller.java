package io.duet.api.web;

import java.util.UUID;

/**
 * Who is calling, taken from the verified access token: controllers declare it as a parameter and
 * services key every account- and couple-scoped query by it, never by an id from the request alone.
 *
 * @param sessionId the sign-in (refresh-token family) the access token belongs to
 */
public record Caller(UUID accountId, UUID sessionId) {}

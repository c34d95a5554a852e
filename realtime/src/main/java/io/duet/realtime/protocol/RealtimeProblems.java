package io.duet.realtime.protocol;

import io.duet.api.web.ProblemException;
import io.micronaut.http.HttpStatus;
import java.util.Map;

/** The long-polling transport's problem types (listed in api/PROBLEMS.md). */
public final class RealtimeProblems {
    private RealtimeProblems() {}

    public static final class SessionNotFoundException extends ProblemException {
        public SessionNotFoundException() {
            super(
                    "session-not-found",
                    "Session not found",
                    HttpStatus.NOT_FOUND,
                    "This realtime session does not exist or has expired. Create a new one and poll with after=SEQ.");
        }
    }

    public static final class TokenExpiredException extends ProblemException {
        public TokenExpiredException() {
            super(
                    "token-expired",
                    "Token expired",
                    HttpStatus.UNAUTHORIZED,
                    "The access token has expired. Refresh it and try again.");
        }
    }

    public static final class TooManyConnectsException extends ProblemException {
        private final long retryMs;

        public TooManyConnectsException(long retryMs) {
            super(
                    "too-many-connects",
                    "Too many connects",
                    HttpStatus.TOO_MANY_REQUESTS,
                    "Reconnecting too fast. Wait the time given in Retry-After.");
            this.retryMs = retryMs;
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("Retry-After", Long.toString(Math.max(1, (retryMs + 999) / 1000)));
        }
    }

    public static final class TooManyPollsException extends ProblemException {
        public TooManyPollsException() {
            super(
                    "too-many-polls",
                    "Too many polls",
                    HttpStatus.TOO_MANY_REQUESTS,
                    "Too many long-polls are held for this user or address. Poll one session at a time.");
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("Retry-After", "1");
        }
    }

    public static final class BadFrameException extends ProblemException {
        public BadFrameException() {
            super(
                    "bad-frame",
                    "Bad frame",
                    HttpStatus.BAD_REQUEST,
                    "Send one JSON object: {\"type\":\"typing\"}, {\"type\":\"read\",\"upToSeq\":N} or {\"type\":\"ack\",\"upToSeq\":N}.");
        }
    }

    public static final class BadAfterException extends ProblemException {
        public BadAfterException() {
            super("bad-frame", "Bad frame", HttpStatus.BAD_REQUEST, "after must be a seq: an integer of 0 or more.");
        }
    }

    public static final class UnknownFrameException extends ProblemException {
        public UnknownFrameException() {
            super("bad-frame", "Bad frame", HttpStatus.BAD_REQUEST, "Unknown frame type; known: typing, read, ack.");
        }
    }
}

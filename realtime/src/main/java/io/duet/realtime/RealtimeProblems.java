package io.duet.realtime;

import io.duet.api.web.ProblemException;
import io.micronaut.http.HttpStatus;
import java.util.Map;

/** The long-polling transport's problem types (listed in api/PROBLEMS.md). */
final class RealtimeProblems {
    private RealtimeProblems() {}

    static final class SessionNotFoundException extends ProblemException {
        SessionNotFoundException() {
            super(
                    "session-not-found",
                    "Session not found",
                    HttpStatus.NOT_FOUND,
                    "This realtime session does not exist or has expired. Create a new one and poll with after=SEQ.");
        }
    }

    static final class TokenExpiredException extends ProblemException {
        TokenExpiredException() {
            super(
                    "token-expired",
                    "Token expired",
                    HttpStatus.UNAUTHORIZED,
                    "The access token has expired. Refresh it and try again.");
        }
    }

    static final class TooManyConnectsException extends ProblemException {
        private final long retryMs;

        TooManyConnectsException(long retryMs) {
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

    static final class TooManyPollsException extends ProblemException {
        TooManyPollsException() {
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

    static final class BadFrameException extends ProblemException {
        BadFrameException() {
            super(
                    "bad-frame",
                    "Bad frame",
                    HttpStatus.BAD_REQUEST,
                    "Send one JSON object: {\"type\":\"typing\"}, {\"type\":\"read\",\"upToSeq\":N} or {\"type\":\"ack\",\"upToSeq\":N}.");
        }
    }

    static final class BadAfterException extends ProblemException {
        BadAfterException() {
            super("bad-frame", "Bad frame", HttpStatus.BAD_REQUEST, "after must be a seq: an integer of 0 or more.");
        }
    }

    static final class UnknownFrameException extends ProblemException {
        UnknownFrameException() {
            super("bad-frame", "Bad frame", HttpStatus.BAD_REQUEST, "Unknown frame type; known: typing, read, ack.");
        }
    }
}

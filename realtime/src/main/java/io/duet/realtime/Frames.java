package io.duet.realtime;

import io.micronaut.core.type.Argument;
import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The wire format. Every event is {@code {"seq":N,"type":"...","data":{...}}}: events from the user's log
 * carry their seq; the gateway's own ephemeral ones ({@code reconnect}, {@code typing}, {@code error} and
 * the presence snapshot at connect) carry {@code "seq":0} and do not move the client's position.
 * {@code reset} carries the user's latest seq: the client reloads from the API and continues from it.
 */
final class Frames {
    private Frames() {}

    static String reconnect(long delayMs, String reason) {
        return "{\"seq\":0,\"type\":\"reconnect\",\"data\":{\"delayMs\":" + delayMs + ",\"reason\":\"" + reason + "\"}}";
    }

    static String reset(long lastSeq) {
        return "{\"seq\":" + lastSeq + ",\"type\":\"reset\",\"data\":{\"lastSeq\":" + lastSeq + "}}";
    }

    static String error(String code) {
        return "{\"seq\":0,\"type\":\"error\",\"data\":{\"code\":\"" + code + "\"}}";
    }

    static String presenceSnapshot(String userId, boolean online) {
        return "{\"seq\":0,\"type\":\"presence\",\"data\":{\"userId\":\"" + userId + "\",\"online\":" + online + "}}";
    }

    /** The close reason text: the code's name and, for codes that allow a retry, the delay to wait. */
    static String closeReason(CloseCode code, long retryMs) {
        return "{\"reason\":\"" + code.reason() + "\",\"retryMs\":" + retryMs + "}";
    }

    /** The seq of an event as the log stores it: it always starts with {@code {"seq":N,}. */
    static long seqOf(String event) {
        long seq = 0;
        for (int i = 7; i < event.length(); i++) {
            char c = event.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            seq = seq * 10 + (c - '0');
        }
        return seq;
    }

    /** A client frame: {@code typing}, {@code ack} or {@code read} (the last two with upToSeq). */
    record ClientFrame(String type, long upToSeq) {}

    /** Empty when the text is not a JSON object with a string {@code type} (and a numeric upToSeq where needed). */
    static Optional<ClientFrame> parse(ObjectMapper json, String text) {
        Map<String, Object> frame;
        try {
            frame = json.readValue(text, Argument.mapOf(String.class, Object.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (frame == null || !(frame.get("type") instanceof String type)) {
            return Optional.empty();
        }
        Object upTo = frame.get("upToSeq");
        if (type.equals("ack") || type.equals("read")) {
            if (!(upTo instanceof Number number) || number.longValue() < 0 || number.doubleValue() != number.longValue()) {
                return Optional.empty();
            }
            return Optional.of(new ClientFrame(type, number.longValue()));
        }
        return Optional.of(new ClientFrame(type, 0));
    }
}

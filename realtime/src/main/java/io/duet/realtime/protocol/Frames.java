package io.duet.realtime.protocol;

import io.micronaut.core.type.Argument;
import io.micronaut.serde.ObjectMapper;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The wire format. Every event is {@code {"seq":N,"type":"...","data":{...}}}: events from the user's log
 * carry their seq; the gateway's own ephemeral ones ({@code reconnect}, {@code typing}, {@code error} and
 * the presence snapshot at connect) carry {@code "seq":0} and do not move the client's position.
 * {@code reset} carries the user's latest seq: the client reloads from the API and continues from it.
 */
public final class Frames {
    private Frames() {}

    public static String reconnect(long delayMs, String reason) {
        return "{\"seq\":0,\"type\":\"reconnect\",\"data\":{\"delayMs\":" + delayMs + ",\"reason\":\"" + reason
                + "\"}}";
    }

    public static String reset(long lastSeq) {
        return "{\"seq\":" + lastSeq + ",\"type\":\"reset\",\"data\":{\"lastSeq\":" + lastSeq + "}}";
    }

    public static String error(String code) {
        return "{\"seq\":0,\"type\":\"error\",\"data\":{\"code\":\"" + code + "\"}}";
    }

    public static String presenceSnapshot(String userId, boolean online) {
        return "{\"seq\":0,\"type\":\"presence\",\"data\":{\"userId\":\"" + userId + "\",\"online\":" + online + "}}";
    }

    /** The close reason text: the code's name and, for codes that allow a retry, the delay to wait. */
    public static String closeReason(CloseCode code, long retryMs) {
        return "{\"reason\":\"" + code.reason() + "\",\"retryMs\":" + retryMs + "}";
    }

    /** The seq of an event as the log stores it: it always starts with {@code {"seq":N,}. */
    public static long seqOf(String event) {
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

    /** {@link #seqOf(String)} on the bytes of an event. */
    public static long seqOf(ByteBuf event) {
        long seq = 0;
        int end = event.writerIndex();
        for (int i = event.readerIndex() + 7; i < end; i++) {
            byte c = event.getByte(i);
            if (c < '0' || c > '9') {
                break;
            }
            seq = seq * 10 + (c - '0');
        }
        return seq;
    }

    /**
     * Whether the event at {@code index} (as the log stores it: {@code {"seq":N,"type":"...} }) has a type
     * starting with {@code prefix} (ASCII). Reads the bytes in place.
     */
    public static boolean typeStartsWith(ByteBuf bytes, int index, byte[] prefix) {
        int end = bytes.writerIndex();
        int i = index + 7;
        while (i < end && bytes.getByte(i) >= '0' && bytes.getByte(i) <= '9') {
            i++;
        }
        i += TYPE_FIELD.length;
        if (i + prefix.length > end || !matches(bytes, i - TYPE_FIELD.length, TYPE_FIELD)) {
            return false;
        }
        return matches(bytes, i, prefix);
    }

    /** The UUID that follows the first {@code field} (e.g. {@code "sessionId":"}) after {@code index}, or null. */
    public static UUID uuidAfter(ByteBuf bytes, int index, byte[] field) {
        int end = bytes.writerIndex() - field.length;
        for (int i = index; i <= end; i++) {
            if (matches(bytes, i, field)) {
                return uuidAt(bytes, i + field.length);
            }
        }
        return null;
    }

    private static final byte[] TYPE_FIELD = ",\"type\":\"".getBytes(StandardCharsets.US_ASCII);

    private static boolean matches(ByteBuf bytes, int at, byte[] expected) {
        if (at < 0 || at + expected.length > bytes.writerIndex()) {
            return false;
        }
        for (int j = 0; j < expected.length; j++) {
            if (bytes.getByte(at + j) != expected[j]) {
                return false;
            }
        }
        return true;
    }

    /** The UUID written in canonical form (36 characters) at {@code index}, or null when there is none. */
    public static UUID uuidAt(ByteBuf bytes, int index) {
        if (bytes.writerIndex() - index < 36) {
            return null;
        }
        long high = 0;
        long low = 0;
        int digits = 0;
        for (int i = 0; i < 36; i++) {
            byte c = bytes.getByte(index + i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return null;
                }
                continue;
            }
            int value = Character.digit(c, 16);
            if (value < 0) {
                return null;
            }
            if (digits < 16) {
                high = high << 4 | value;
            } else {
                low = low << 4 | value;
            }
            digits++;
        }
        return new UUID(high, low);
    }

    /**
     * The {@code after} parameter of both transports: absent (null: from now) or a seq ≥ 0; anything else
     * throws, and both transports answer it as a bad frame (4400 on a WebSocket, 400 {@code bad-frame} on
     * a poll).
     */
    public static Long after(String value) {
        if (value == null) {
            return null;
        }
        long after = Long.parseLong(value);
        if (after < 0) {
            throw new IllegalArgumentException("after must not be negative");
        }
        return after;
    }

    /** A client frame: {@code typing}, {@code ack} or {@code read} (the last two with upToSeq). */
    public record ClientFrame(String type, long upToSeq) {}

    /** Empty when the text is not a JSON object with a string {@code type} (and a numeric upToSeq where needed). */
    public static Optional<ClientFrame> parse(ObjectMapper json, String text) {
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
            if (!(upTo instanceof Number number)
                    || number.longValue() < 0
                    || number.doubleValue() != number.longValue()) {
                return Optional.empty();
            }
            return Optional.of(new ClientFrame(type, number.longValue()));
        }
        return Optional.of(new ClientFrame(type, 0));
    }
}

package io.duet.realtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written against the wire (RFC 6455), for what the JDK client will not do or show: the
 * handshake's response headers, binary and fragmented frames, client pings, and HTTP requests on the same
 * connection before the upgrade.
 */
final class RawWebSocket extends HttpWire {
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame. */
        int closeCode() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    RawWebSocket(int port) throws IOException {
        super(port, 5000);
    }

    /** Sends a plain HTTP/1.1 request; returns the response head and body as text (the body by its Content-Length). */
    String request(String method, String path, String... headers) throws IOException {
        writeHead(method + " " + path, headers);
        String head = readHead();
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return head + new String(body, StandardCharsets.UTF_8);
    }

    /** Sends the upgrade request for {@code path}; returns the response head. */
    String upgrade(String path, String... headers) throws IOException {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        String[] all = new String[headers.length + 4];
        all[0] = "Upgrade: websocket";
        all[1] = "Connection: Upgrade";
        all[2] = "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key);
        all[3] = "Sec-WebSocket-Version: 13";
        System.arraycopy(headers, 0, all, 4, headers.length);
        writeHead("GET " + path, all);
        return readHead();
    }

    /** How long a read waits from now on. */
    void timeout(java.time.Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
    }

    /** One client frame, masked as the protocol requires. */
    void send(int opcode, boolean last, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((last ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next server frame (unmasked, unfragmented as Duet sends them). */
    Frame read() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(first & 0x0f, payload);
    }

    /** Reads frames until one with {@code opcode}. */
    Frame readUntil(int opcode) throws IOException {
        Frame frame;
        do {
            frame = read();
        } while (frame.opcode() != opcode);
        return frame;
    }
}

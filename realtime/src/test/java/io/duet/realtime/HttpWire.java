package io.duet.realtime;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** One HTTP/1.1 keep-alive connection, written and read by hand: every request goes over this one socket. */
class HttpWire implements AutoCloseable {
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name, "");
        }
    }

    protected final Socket socket;
    protected final DataInputStream in;
    protected final OutputStream out;

    HttpWire(int port, int timeoutMs) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(timeoutMs);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** A request with an optional bearer token and JSON body, and its response. */
    Response exchange(String method, String path, String token, String body, Map<String, String> extra)
            throws IOException {
        request(method, path, token, body, extra);
        return readResponse();
    }

    void request(String method, String path, String token, String body, Map<String, String> extra) throws IOException {
        requestBytes(method, path, token, body == null ? null : body.getBytes(StandardCharsets.UTF_8), extra);
    }

    /** A request whose JSON body is given as bytes (which need not be UTF-8). */
    void requestBytes(String method, String path, String token, byte[] body, Map<String, String> extra)
            throws IOException {
        byte[] content = body == null ? new byte[0] : body;
        LinkedHashMap<String, String> headers = new LinkedHashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        headers.put("Content-Length", Integer.toString(content.length));
        headers.putAll(extra);
        writeHead(
                method + " " + path,
                headers.entrySet().stream()
                        .map(h -> h.getKey() + ": " + h.getValue())
                        .toArray(String[]::new));
        out.write(content);
        out.flush();
    }

    /** The next response: status, headers (names in lower case) and the body by its Content-Length or chunks. */
    Response readResponse() throws IOException {
        String[] lines = readHead().split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                body.write(in.readNBytes(size));
                line();
            }
            line();
        }
        return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, body.toString(StandardCharsets.UTF_8));
    }

    protected void writeHead(String requestLine, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(requestLine)
                .append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                .append(socket.getPort())
                .append("\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The response head up to and with its blank line. */
    protected String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.readUnsignedByte();
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.readUnsignedByte(); b != '\n'; b = in.readUnsignedByte()) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package io.duet.rehearsal;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rehearsal's mail sink: GreenMail records every message, behind a gate on the port Duet sends to,
 * which the fault schedule switches between passing, refusing connections (the listening socket is
 * closed) and hanging (connections accepted and never answered). An HTTP endpoint hands a user the code
 * of their newest verification mail, as their inbox would.
 */
final class MailSink implements AutoCloseable {
    enum Mode {
        PASS,
        REFUSE,
        HANG
    }

    private static final Pattern CODE = Pattern.compile("your Duet code is\\s+(?:<[^>]+>\\s*)*(\\d{6})");

    private final GreenMail mail;
    private final int gatePort;
    private final int backendPort;
    private final HttpServer http;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Map<String, String> codes = new ConcurrentHashMap<>();
    private volatile Mode mode = Mode.PASS;
    private volatile ServerSocket listener;
    private volatile boolean closed;
    private int seen;

    MailSink(int gatePort, int backendPort, int httpPort) throws IOException {
        this.gatePort = gatePort;
        this.backendPort = backendPort;
        this.mail = new GreenMail(new ServerSetup(backendPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", httpPort), 64);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/code", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            String to = query == null ? "" : URLDecoder.decode(query.replaceFirst("^to=", ""), StandardCharsets.UTF_8);
            String code = codeFor(to);
            byte[] body = (code == null ? "none" : code).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code == null ? 404 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        openListener();
    }

    int gatePort() {
        return gatePort;
    }

    String codeUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    Mode mode() {
        return mode;
    }

    synchronized void mode(Mode next) throws IOException {
        if (next == mode) {
            return;
        }
        if (next == Mode.REFUSE) {
            closeListener();
            for (Socket socket : open) {
                closeQuietly(socket);
            }
        } else if (listener == null) {
            openListener();
        }
        if (mode == Mode.HANG) {
            for (Socket socket : open) {
                closeQuietly(socket); // hung connections end when the fault does; the client retries
            }
        }
        mode = next;
    }

    /** One recorded message: its recipient and subject. */
    record Mail(String to, String subject, String body) {
        boolean verification() {
            return subject.endsWith("is your Duet code");
        }
    }

    synchronized List<Mail> messages() {
        List<Mail> all = new ArrayList<>();
        for (MimeMessage message : mail.getReceivedMessages()) {
            try {
                String body = com.icegreen.greenmail.util.GreenMailUtil.getBody(message);
                for (var address : message.getRecipients(Message.RecipientType.TO)) {
                    all.add(new Mail(address.toString().replaceAll(".*<|>.*", ""), message.getSubject(), body));
                }
            } catch (Exception e) {
                all.add(new Mail("unreadable", "unreadable", e.toString()));
            }
        }
        return all;
    }

    private synchronized String codeFor(String to) {
        MimeMessage[] received = mail.getReceivedMessages();
        for (; seen < received.length; seen++) {
            try {
                String body = com.icegreen.greenmail.util.GreenMailUtil.getBody(received[seen]);
                Matcher m = CODE.matcher(body.replace("=\r\n", "").replace("=3D", "="));
                if (m.find()) {
                    for (var address : received[seen].getRecipients(Message.RecipientType.TO)) {
                        codes.put(address.toString().replaceAll(".*<|>.*", ""), m.group(1));
                    }
                }
            } catch (Exception e) {
                // an unreadable mail has no code; the checker counts it from messages()
            }
        }
        return codes.get(to);
    }

    private void openListener() throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", gatePort), 512);
        listener = server;
        Thread.ofVirtual().name("smtp-gate").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    open.add(client);
                    if (mode == Mode.HANG) {
                        continue; // accepted, never answered: the mailer's timeout is what ends it
                    }
                    Thread.ofVirtual().start(() -> pipe(client));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void closeListener() {
        ServerSocket server = listener;
        listener = null;
        if (server != null) {
            closeQuietly(server);
        }
    }

    private void pipe(Socket client) {
        try (Socket backend = new Socket("127.0.0.1", backendPort)) {
            open.add(backend);
            Thread up = Thread.ofVirtual().start(() -> copy(client, backend));
            copy(backend, client);
            up.join();
        } catch (Exception e) {
            // the connection ends; SMTP clients see a dropped connection and retry
        } finally {
            closeQuietly(client);
            open.remove(client);
        }
    }

    private static void copy(Socket from, Socket to) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // closed by either side
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }

    @Override
    public void close() {
        closed = true;
        closeListener();
        open.forEach(MailSink::closeQuietly);
        http.stop(0);
        mail.stop();
    }
}

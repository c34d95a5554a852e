package io.duet.rehearsal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Joins the ledger (every request the load made) with the effects (PostgreSQL rows, the mail sink, the
 * realtime clients' events):
 * <ul>
 *   <li><b>lost</b>: a 2xx whose effect never appeared;
 *   <li><b>duplicated</b>: an effect that appeared twice (a second verification mail; an event delivered twice);
 *   <li><b>unexpected</b>: an effect no request asked for (a mail to nobody who signed up, a message row
 *       nobody sent);
 *   <li><b>recovered</b>: a request the client saw fail or time out whose effect appeared anyway.
 * </ul>
 * Nothing lost and nothing unexpected is the pass; duplicates are counted and explained (email is
 * at-least-once, so a kill mid-send may repeat the mails in flight).
 */
final class Checker {
    /** One line of the table: a kind of request and what became of its effects. */
    record Row(
            String kind,
            String effect,
            int requests,
            int ok,
            int lost,
            int duplicated,
            int unexpected,
            int recovered,
            int failed) {}

    /** An effect that went wrong, with when its request started (to attribute it to a fault window). */
    record Finding(String kind, String verdict, String key, long start) {}

    record Result(List<Row> rows, List<Finding> findings) {
        int lost() {
            return rows.stream().mapToInt(Row::lost).sum();
        }

        int unexpected() {
            return rows.stream().mapToInt(Row::unexpected).sum();
        }

        int duplicated() {
            return rows.stream().mapToInt(Row::duplicated).sum();
        }

        int recovered() {
            return rows.stream().mapToInt(Row::recovered).sum();
        }

        /** Nothing lost, nothing unexpected, and there was a load to judge (a run whose generator crashed proves nothing). */
        boolean passed() {
            return lost() == 0 && unexpected() == 0 && rows.getFirst().requests() > 0;
        }
    }

    private final String jdbcUrl;
    private final MailSink mail;
    private final RealtimeProbe probe;
    private final List<Ledger.Line> load;
    private final List<Ledger.Line> probeLines;

    Checker(String jdbcUrl, MailSink mail, RealtimeProbe probe, List<Ledger.Line> load, List<Ledger.Line> probeLines) {
        this.jdbcUrl = jdbcUrl;
        this.mail = mail;
        this.probe = probe;
        this.load = load;
        this.probeLines = probeLines;
    }

    /**
     * @param loadedAt when the base data was in (datagen spreads each couple's messages up to the moment it runs,
     *     so a row before this is the base's, and any row after it must be a request's)
     */
    Result check(long loadedAt) throws Exception {
        List<Row> rows = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            rows.add(signups(c, findings));
            rows.add(messages(c, findings, loadedAt));
            rows.add(media(c, findings, "avatar"));
            rows.add(media(c, findings, "photo"));
            rows.add(events(findings));
        }
        return new Result(rows, findings);
    }

    /** Signups: the account row and exactly one verification mail per address; no mail to anyone else. */
    private Row signups(Connection c, List<Finding> findings) throws Exception {
        Map<String, Ledger.Line> asked = new LinkedHashMap<>();
        for (Ledger.Line line : load) {
            if (line.kind().equals("signup")) {
                asked.put(line.key(), line);
            }
        }
        Set<String> accounts = new HashSet<>();
        try (ResultSet rs = c.createStatement().executeQuery("SELECT email FROM account WHERE email LIKE 'rh-%'")) {
            while (rs.next()) {
                accounts.add(rs.getString(1));
            }
        }
        Map<String, Integer> mails = new HashMap<>();
        int unexpected = 0;
        for (MailSink.Mail m : mail.messages()) {
            if (!m.verification()) {
                continue;
            }
            if (!asked.containsKey(m.to())) {
                unexpected++;
                findings.add(new Finding("signup", "unexpected mail", m.to(), -1));
                continue;
            }
            mails.merge(m.to(), 1, Integer::sum);
        }
        int ok = 0;
        int lost = 0;
        int duplicated = 0;
        int recovered = 0;
        int failed = 0;
        for (Ledger.Line line : asked.values()) {
            int count = mails.getOrDefault(line.key(), 0);
            boolean account = accounts.contains(line.key());
            if (line.ok()) {
                ok++;
                if (count == 0 || !account) {
                    lost++;
                    findings.add(new Finding(
                            "signup",
                            count == 0 ? "lost: 202, no verification mail" : "lost: 202, no account",
                            line.key(),
                            line.start()));
                }
            } else {
                failed++;
                if (count > 0) {
                    recovered++;
                }
            }
            if (count > 1) {
                duplicated += count - 1;
                findings.add(new Finding(
                        "signup", "duplicated: " + count + " verification mails", line.key(), line.start()));
            }
        }
        return new Row(
                "signup",
                "account + verification mail",
                asked.size(),
                ok,
                lost,
                duplicated,
                unexpected,
                recovered,
                failed);
    }

    /**
     * Messages from the new couples (load) and the existing ones (probe): a row per clientId, once. Rows written
     * after {@code loadedAt} that no ledger line asked for are unexpected.
     */
    Row messages(Connection c, List<Finding> findings, long loadedAt) throws Exception {
        Map<String, Ledger.Line> asked = new LinkedHashMap<>();
        for (Ledger.Line line : load) {
            if (line.kind().equals("message")) {
                asked.put(line.key(), line);
            }
        }
        for (Ledger.Line line : probeLines) {
            asked.put(line.key(), line);
        }
        Map<String, Integer> rows = new HashMap<>();
        try (var statement = c.prepareStatement(
                "SELECT client_id::text, count(*) FROM message WHERE created_at > ? GROUP BY client_id")) {
            statement.setTimestamp(1, new Timestamp(loadedAt));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        int ok = 0;
        int lost = 0;
        int duplicated = 0;
        int recovered = 0;
        int failed = 0;
        int unexpected = 0;
        for (Ledger.Line line : asked.values()) {
            int count = rows.getOrDefault(line.key(), 0);
            if (line.ok()) {
                ok++;
                if (count == 0) {
                    lost++;
                    findings.add(new Finding(line.kind(), "lost: 201, no message row", line.key(), line.start()));
                }
            } else {
                failed++;
                if (count > 0) {
                    recovered++;
                }
            }
            if (count > 1) {
                duplicated += count - 1;
            }
        }
        for (String clientId : rows.keySet()) {
            if (!asked.containsKey(clientId)) {
                unexpected++;
                findings.add(new Finding("message", "unexpected: a row nobody sent", clientId, -1));
            }
        }
        return new Row("message", "message row", asked.size(), ok, lost, duplicated, unexpected, recovered, failed);
    }

    /**
     * Uploads: one media row per {@code Idempotency-Key}, resized (ready) once the media queue has drained. A row of
     * a rehearsal account whose key no ledger line sent is unexpected.
     */
    Row media(Connection c, List<Finding> findings, String kind) throws Exception {
        record Upload(String id, String status) {}
        Map<String, List<Upload>> rows = new HashMap<>();
        try (var statement = c.prepareStatement("SELECT coalesce(m.idempotency_key, 'none:' || m.id), m.status, m.id"
                + " FROM media m JOIN account a ON a.id = m.owner_id WHERE a.email LIKE 'rh-%' AND m.kind = ?")) {
            statement.setString(1, kind);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.computeIfAbsent(rs.getString(1), key -> new ArrayList<>())
                            .add(new Upload(rs.getString(3), rs.getString(2)));
                }
            }
        }
        Map<String, Ledger.Line> asked = new LinkedHashMap<>();
        for (Ledger.Line line : load) {
            if (line.kind().equals(kind)) {
                asked.put(line.key(), line);
            }
        }
        int ok = 0;
        int lost = 0;
        int duplicated = 0;
        int recovered = 0;
        int failed = 0;
        int unexpected = 0;
        for (Ledger.Line line : asked.values()) {
            List<Upload> made = rows.getOrDefault(line.key(), List.of());
            String s = made.isEmpty() ? null : made.getFirst().status();
            if (line.ok()) {
                ok++;
                if (!"ready".equals(s)) {
                    lost++;
                    findings.add(new Finding(
                            kind, "lost: 202, media " + (s == null ? "missing" : s), line.key(), line.start()));
                } else if (!line.extra().equals(made.getFirst().id())) {
                    // The answer named another item than the key's (a replay that answered the wrong one).
                    lost++;
                    findings.add(new Finding(
                            kind,
                            "lost: 202 named " + line.extra() + ", not the key's item",
                            line.key(),
                            line.start()));
                }
            } else {
                failed++;
                if (s != null) {
                    recovered++;
                }
            }
            duplicated += Math.max(0, made.size() - 1);
        }
        for (String key : rows.keySet()) {
            if (!asked.containsKey(key)) {
                unexpected++;
                findings.add(new Finding(kind, "unexpected: an upload nobody sent", key, -1));
            }
        }
        return new Row(kind, "media row, ready", asked.size(), ok, lost, duplicated, unexpected, recovered, failed);
    }

    /** Realtime: every probe message that got 201 reached the partner's client (live, or by the reload a reset asks for). */
    private Row events(List<Finding> findings) {
        int ok = 0;
        int lost = 0;
        int duplicated = 0;
        for (Ledger.Line line : probeLines) {
            if (!line.ok()) {
                continue;
            }
            ok++;
            if (!probe.deliveries.containsKey(line.key())) {
                lost++;
                String[] where = line.extra().split(":");
                RealtimeProbe.Listener l = probe.listeners.get(Integer.parseInt(where[0]));
                findings.add(new Finding(
                        "event",
                        String.format(
                                java.util.Locale.ROOT,
                                "lost: message.created (couple seq %s) never reached the partner (%s client, its last seq %d, %d reconnects, %d resets)",
                                where.length > 1 ? where[1] : "?",
                                l.websocket ? "WebSocket" : "long-polling",
                                l.lastSeq,
                                l.reconnects.get(),
                                l.resets.get()),
                        line.key(),
                        line.start()));
            }
        }
        for (RealtimeProbe.Listener listener : probe.listeners) {
            for (int n : listener.seqCounts.values()) {
                duplicated += n - 1;
            }
        }
        return new Row(
                "event",
                "message.created at partner",
                probeLines.size(),
                ok,
                lost,
                duplicated,
                0,
                0,
                probeLines.size() - ok);
    }
}

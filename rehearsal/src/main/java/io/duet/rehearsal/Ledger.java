package io.duet.rehearsal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line per request that should have an effect: {@code kind key startMillis endMillis outcome extra attempts}.
 * The start is when the client meant to send it (before any retry), the outcome the final HTTP status or
 * {@code error} (no answer), the attempts every try's status in order ({@code -} when not recorded). The checker
 * joins these lines with the effects.
 */
final class Ledger implements AutoCloseable {
    record Line(String kind, String key, long start, long end, String outcome, String extra, List<String> attempts) {
        Line(String kind, String key, long start, long end, String outcome, String extra) {
            this(kind, key, start, end, outcome, extra, List.of(outcome));
        }

        boolean ok() {
            return outcome.startsWith("2");
        }

        boolean fiveHundred() {
            return outcome.startsWith("5");
        }
    }

    private final BufferedWriter out;

    private Ledger(BufferedWriter out) {
        this.out = out;
    }

    static Ledger open(String file) {
        try {
            Path path = Path.of(file);
            Files.createDirectories(path.toAbsolutePath().getParent());
            return new Ledger(Files.newBufferedWriter(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void write(String kind, String key, long start, long end, String outcome, String extra) {
        write(kind, key, start, end, outcome, extra, outcome);
    }

    synchronized void write(
            String kind, String key, long start, long end, String outcome, String extra, String attempts) {
        try {
            out.write(kind
                    + ' '
                    + key
                    + ' '
                    + start
                    + ' '
                    + end
                    + ' '
                    + outcome
                    + ' '
                    + (extra == null || extra.isBlank() ? "-" : extra)
                    + ' '
                    + (attempts == null || attempts.isBlank() ? "-" : attempts));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Line> read(Path file) throws IOException {
        List<Line> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        for (String text : Files.readAllLines(file)) {
            String[] f = text.split(" ");
            if (f.length >= 6) {
                List<String> attempts = f.length >= 7 && !f[6].equals("-") ? List.of(f[6].split(",")) : List.of(f[4]);
                lines.add(new Line(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), f[4], f[5], attempts));
            }
        }
        return lines;
    }
}

package io.duet.infra.promotions;

import io.duet.capacity.CapacityModel;
import io.duet.capacity.InvalidPromotionException;
import io.duet.capacity.Promotion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;

/**
 * Reads {@code infra/promotions.csv}: one promotion a line, {@code name, region, start, end, signups_per_minute},
 * times in ISO-8601 with an offset ({@code 2027-02-13T18:00Z}). Blank lines and lines starting with '#' are
 * ignored. A line that cannot be deployed fails synthesis with its file and line number; the capacity
 * limits are checked later by {@link CapacityModel}, which names the line too.
 */
public final class PromotionsFile {
    private PromotionsFile() {}

    public static List<Promotion> read(Path file, Collection<String> regions) {
        try {
            return parse(file.getFileName().toString(), Files.readAllLines(file), regions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the promotions file " + file, e);
        }
    }

    static List<Promotion> parse(String fileName, List<String> lines, Collection<String> regions) {
        var promotions = new ArrayList<Promotion>();
        var names = new HashSet<String>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String at = fileName + " line " + lineNo + ": ";
            String[] f = line.split(",", -1);
            if (f.length != 5) {
                throw new InvalidPromotionException(
                        at + "expected 5 fields (name, region, start, end, signups_per_minute), found " + f.length);
            }
            String name = f[0].strip();
            if (!name.matches("[a-z0-9][a-z0-9-]{0,39}")) {
                throw new InvalidPromotionException(
                        at + "name '" + name + "' must be lower-case letters, digits and '-' (at most 40)");
            }
            if (!names.add(name)) {
                throw new InvalidPromotionException(at + "name '" + name + "' is used twice");
            }
            String region = f[1].strip();
            if (!regions.contains(region)) {
                throw new InvalidPromotionException(
                        at + "unknown region '" + region + "'; the deployment's regions are " + regions);
            }
            Instant start = instant(at, "start", f[2].strip());
            Instant end = instant(at, "end", f[3].strip());
            if (!end.isAfter(start)) {
                throw new InvalidPromotionException(at + "end " + end + " is not after start " + start);
            }
            int rate;
            try {
                rate = Integer.parseInt(f[4].strip());
            } catch (NumberFormatException e) {
                throw new InvalidPromotionException(
                        at + "signups_per_minute '" + f[4].strip() + "' is not a whole number");
            }
            if (rate <= 0) {
                throw new InvalidPromotionException(at + "signups_per_minute must be positive, was " + rate);
            }
            promotions.add(new Promotion(name, region, start, end, rate, lineNo));
        }
        rejectOverlaps(fileName, promotions);
        return List.copyOf(promotions);
    }

    /** Two promotions in one region at once would fight over the same scheduled actions: give one line the sum instead. */
    private static void rejectOverlaps(String fileName, List<Promotion> promotions) {
        var sorted = promotions.stream()
                .sorted(Comparator.comparing(Promotion::region).thenComparing(Promotion::start))
                .toList();
        for (int i = 1; i < sorted.size(); i++) {
            Promotion before = sorted.get(i - 1);
            Promotion next = sorted.get(i);
            if (before.region().equals(next.region()) && next.start().isBefore(before.end())) {
                throw new InvalidPromotionException(
                        fileName + " line " + next.line() + ": '" + next.name() + "' overlaps '"
                                + before.name() + "' (line " + before.line() + ") in " + next.region()
                                + "; merge them into one line with the combined rate");
            }
        }
    }

    private static Instant instant(String at, String field, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidPromotionException(
                    at + field + " '" + value + "' is not an ISO-8601 time with an offset, e.g. 2027-02-13T18:00Z");
        }
    }
}

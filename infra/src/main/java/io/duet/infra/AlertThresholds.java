package io.duet.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Duet's alert thresholds, read from {@code ops/alert-thresholds.json}: the file the Prometheus rules
 * ({@code ops/prometheus/duet-rules.yml}) are checked against, so that a CloudWatch alarm and its Prometheus rule
 * say the same thing with the same numbers. Units are in each key's name.
 */
public record AlertThresholds(JsonNode root, Path file) {

    public static AlertThresholds load(Path file) {
        try {
            return new AlertThresholds(new ObjectMapper().readTree(file.toFile()), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the alert thresholds " + file, e);
        }
    }

    /** {@code level} is warning or critical. */
    public double value(String key, String level) {
        JsonNode value = entry(key).path(level);
        if (!value.isNumber()) {
            throw new IllegalArgumentException(file + ": " + key + " has no " + level + " threshold");
        }
        return value.asDouble();
    }

    /** How long the condition must hold ({@code for_minutes}), or the window it is counted over ({@code window_minutes}). */
    public int minutes(String key) {
        JsonNode entry = entry(key);
        JsonNode minutes = entry.has("for_minutes") ? entry.path("for_minutes") : entry.path("window_minutes");
        if (!minutes.isInt()) {
            throw new IllegalArgumentException(file + ": " + key + " has no for_minutes or window_minutes");
        }
        return minutes.asInt();
    }

    /** Evaluation periods of a CloudWatch alarm on a metric of {@code periodMinutes} for this key's duration. */
    public int periods(String key, int periodMinutes) {
        return Math.max(1, (minutes(key) + periodMinutes - 1) / periodMinutes);
    }

    private JsonNode entry(String key) {
        JsonNode entry = root.path(key);
        if (entry.isMissingNode()) {
            throw new IllegalArgumentException(file + " has no " + key);
        }
        return entry;
    }
}

package io.duet.rehearsal;

import java.util.List;

/**
 * The load's shape, handed from the orchestrator to the Gatling JVM as system properties: the usual
 * signup rate for {@code steadySeconds}, a ramp to {@code spikeFactor} times it, the peak, the ramp
 * down and the usual rate again.
 */
record LoadPlan(
        String api,
        String sink,
        String ledger,
        double usualPerSecond,
        double spikeFactor,
        int steadySeconds,
        int rampSeconds,
        int peakSeconds) {

    int totalSeconds() {
        return 2 * steadySeconds + 2 * rampSeconds + peakSeconds;
    }

    /** Signups the open model schedules by {@code second} after the load's start (the area under the rate). */
    double scheduledBy(double second) {
        double usual = usualPerSecond;
        double peak = usual * spikeFactor;
        double[] ends = {
            steadySeconds,
            steadySeconds + rampSeconds,
            steadySeconds + rampSeconds + peakSeconds,
            steadySeconds + 2.0 * rampSeconds + peakSeconds,
            totalSeconds()
        };
        double total = 0;
        double start = 0;
        for (int i = 0; i < ends.length && second > start; i++) {
            double span = Math.min(second, ends[i]) - start;
            double rateAtStart = switch (i) {
                case 0, 4 -> usual;
                case 1 -> usual;
                case 2 -> peak;
                default -> peak;
            };
            double rateAtEnd = switch (i) {
                case 0, 4 -> usual;
                case 1 -> peak;
                case 2 -> peak;
                default -> usual;
            };
            double width = ends[i] - start;
            double rateAtSpanEnd = rateAtStart + (rateAtEnd - rateAtStart) * (width == 0 ? 0 : span / width);
            total += span * (rateAtStart + rateAtSpanEnd) / 2;
            start = ends[i];
        }
        return total;
    }

    /** Second offsets of the spike: from the start of the ramp up to the end of the ramp down. */
    int spikeStart() {
        return steadySeconds;
    }

    int peakStart() {
        return steadySeconds + rampSeconds;
    }

    int peakEnd() {
        return steadySeconds + rampSeconds + peakSeconds;
    }

    List<String> toProperties() {
        return List.of(
                "-Drehearsal.api=" + api,
                "-Drehearsal.sink=" + sink,
                "-Drehearsal.ledger=" + ledger,
                "-Drehearsal.usual=" + usualPerSecond,
                "-Drehearsal.spike=" + spikeFactor,
                "-Drehearsal.steady=" + steadySeconds,
                "-Drehearsal.ramp=" + rampSeconds,
                "-Drehearsal.peak=" + peakSeconds);
    }

    static LoadPlan fromProperties() {
        return new LoadPlan(
                System.getProperty("rehearsal.api", "http://127.0.0.1:8080"),
                System.getProperty("rehearsal.sink", "http://127.0.0.1:8025"),
                System.getProperty("rehearsal.ledger", "target/rehearsal/ledger-load.txt"),
                Double.parseDouble(System.getProperty("rehearsal.usual", "0.2")),
                Double.parseDouble(System.getProperty("rehearsal.spike", "30")),
                Integer.getInteger("rehearsal.steady", 20),
                Integer.getInteger("rehearsal.ramp", 10),
                Integer.getInteger("rehearsal.peak", 20));
    }
}

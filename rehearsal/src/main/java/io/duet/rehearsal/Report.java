package io.duet.rehearsal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rehearsal's report: the checker's table and what went wrong per fault, latency per minute with the
 * steady and fault windows apart (percentiles are computed from the samples of each window, never
 * averaged), each fault's time to recover, the backlog's peak and drain, 5xx by status, the load
 * generator's punctuality, the capacity plan, a {@code RESULT} line and a final {@code N passed, N failed}.
 */
final class Report {
    /** Utilisation cap of every capacity line: size for 70 % busy, the rest is headroom for bursts. */
    static final double U = 0.7;

    private final Rehearse.Options options;
    private final LoadPlan plan;
    private final Preflight preflight;
    private final String scaled;
    private final List<Faults.Window> windows;
    private final List<String> events;
    private final Sampler sampler;
    private final Checker.Result result;
    private final long loadStart;
    private final long loadEnd;
    private final long drainedMillis;
    private final String gatlingReport;
    private final long setupMillis;
    private final long begun;
    private final long gatewayRssBefore;
    private final long gatewayRssAfter;
    private final RealtimeProbe probe;
    private final double bytesPerEvent;
    private final List<Ledger.Line> load;
    private final List<Ledger.Line> probeLines;
    private final Map<String, Object> capacity = new LinkedHashMap<>();
    private final List<String[]> checks = new ArrayList<>();

    Report(
            Rehearse.Options options,
            LoadPlan plan,
            Preflight preflight,
            String scaled,
            List<Faults.Window> windows,
            List<String> events,
            Sampler sampler,
            Checker.Result result,
            long loadStart,
            long loadEnd,
            long drainedMillis,
            String gatlingReport,
            long setupMillis,
            long begun,
            long gatewayRssBefore,
            long gatewayRssAfter,
            RealtimeProbe probe,
            double bytesPerEvent)
            throws Exception {
        this.bytesPerEvent = bytesPerEvent;
        this.options = options;
        this.plan = plan;
        this.preflight = preflight;
        this.scaled = scaled;
        this.windows = windows.stream()
                .sorted(Comparator.comparingLong(Faults.Window::injectedAt))
                .toList();
        this.events = events;
        this.sampler = sampler;
        this.result = result;
        this.loadStart = loadStart;
        this.loadEnd = loadEnd;
        this.drainedMillis = drainedMillis;
        this.gatlingReport = gatlingReport;
        this.setupMillis = setupMillis;
        this.begun = begun;
        this.gatewayRssBefore = gatewayRssBefore;
        this.gatewayRssAfter = gatewayRssAfter;
        this.probe = probe;
        this.load = Ledger.read(options.out().toAbsolutePath().resolve("ledger-load.txt"));
        this.probeLines = Ledger.read(options.out().toAbsolutePath().resolve("ledger-probe.txt"));
    }

    private String t(long at) {
        return String.format(Locale.ROOT, "t+%.0fs", (at - loadStart) / 1000.0);
    }

    /** The fault whose window (from injection to 60 s after its restoration) holds this moment, else "steady". */
    private String faultAt(long at) {
        String found = "steady";
        for (Faults.Window w : windows) {
            if (at >= w.injectedAt() - 2000 && at <= w.restoredAt() + 60_000) {
                found = w.name();
            }
        }
        return found;
    }

    /**
     * Whether a request that started {@code offsetMillis} into the load fell in a phase at the usual rate (the
     * steady phases before the ramp and after it), not the ramps or the peak.
     */
    static boolean atUsualRate(long offsetMillis, LoadPlan plan) {
        return offsetMillis >= 0 && offsetMillis < plan.steadySeconds() * 1000L
                || offsetMillis >= (long) (plan.totalSeconds() - plan.steadySeconds()) * 1000L;
    }

    /** Requests at the usual rate below this are too few to size Lambda: one cold first request weighs too much. */
    static final int MIN_USUAL_RATE_REQUESTS = 50;

    /** The requests whose mean latency sizes Lambda, and a sentence saying which they are. */
    record LatencySample(List<Ledger.Line> lines, String source) {}

    /**
     * Lambda runs one request per instance, so its concurrency needs a request's own latency: taken where this
     * machine is not saturated (the load's phases at the usual rate), not from the ramps and peak, where requests
     * queue behind the shared cores and Little's law would count the queue. A short run has too few requests at
     * the usual rate; it then takes every one of {@code steady} and says so.
     *
     * Only requests answered at their first try count: a retried request's span holds the client's waits, when no
     * instance is busy.
     *
     * @param outsideFaults the load's requests that started and ended outside fault windows
     */
    static LatencySample lambdaLatencySample(List<Ledger.Line> outsideFaults, long loadStart, LoadPlan plan) {
        List<Ledger.Line> steady =
                outsideFaults.stream().filter(l -> l.attempts().size() == 1).toList();
        Map<Boolean, List<Ledger.Line>> byRate = steady.stream()
                .collect(java.util.stream.Collectors.partitioningBy(l -> atUsualRate(l.start() - loadStart, plan)));
        List<Ledger.Line> usual = byRate.get(true);
        double rest = meanSeconds(byRate.get(false), 0);
        if (usual.size() >= MIN_USUAL_RATE_REQUESTS) {
            return new LatencySample(
                    usual,
                    String.format(
                            Locale.ROOT,
                            "mean of %d requests started at the usual rate, outside fault windows, answered at the first"
                                    + " try; the ramps and peak"
                                    + " had a mean of %.3f s on this machine, queued behind its cores, not used",
                            usual.size(),
                            rest));
        }
        return new LatencySample(
                steady,
                String.format(
                        Locale.ROOT,
                        "only %d requests at the usual rate (fewer than %d): mean of all %d requests outside fault"
                                + " windows, answered at the first try, any queueing at the peak included",
                        usual.size(),
                        MIN_USUAL_RATE_REQUESTS,
                        steady.size()));
    }

    /** The mean of the lines' latencies (end - intended start) in seconds, or {@code none} without a line. */
    static double meanSeconds(List<Ledger.Line> lines, double none) {
        return lines.stream().mapToLong(l -> l.end() - l.start()).average().orElse(none * 1000) / 1000.0;
    }

    private boolean inFaultWindow(long at) {
        for (Faults.Window w : windows) {
            if (at >= w.injectedAt() && at <= w.restoredAt() + 10_000) {
                return true;
            }
        }
        return false;
    }

    String render() throws Exception {
        StringBuilder r = new StringBuilder();
        long now = System.currentTimeMillis();
        r.append("\n==== Duet promotion-day rehearsal (").append(options.mode()).append(") ====\n");
        r.append(String.format(
                Locale.ROOT,
                "times: setup %.0f s, load %.0f s, drain %s, total %.0f s%n",
                setupMillis / 1000.0,
                (loadEnd - loadStart) / 1000.0,
                drainedMillis < 0
                        ? "NOT DRAINED within the cap"
                        : String.format(Locale.ROOT, "%.0f s", drainedMillis / 1000.0),
                (now - begun) / 1000.0));
        r.append(preflight.describe()).append('\n');
        if (!scaled.isEmpty()) {
            r.append(scaled).append('\n');
        }
        r.append(String.format(
                Locale.ROOT,
                "load: usual %.2f signups/min, peak %.1f signups/min (%.0fx), steady %d s, ramp %d s, peak %d s%n",
                plan.usualPerSecond() * 60,
                plan.usualPerSecond() * plan.spikeFactor() * 60,
                plan.spikeFactor(),
                plan.steadySeconds(),
                plan.rampSeconds(),
                plan.peakSeconds()));
        r.append("\n-- timeline\n");
        events.stream().sorted().forEach(e -> r.append("  ").append(e).append('\n'));
        for (Faults.Window w : windows) {
            r.append(String.format(
                    Locale.ROOT, "  %-10s %s .. %s  %s%n", w.name(), t(w.injectedAt()), t(w.restoredAt()), w.what()));
        }

        r.append("\n-- checker (ledger joined with effects)\n");
        r.append(String.format(
                Locale.ROOT,
                "  %-8s %-30s %8s %6s %6s %6s %6s %6s %6s%n",
                "kind",
                "effect",
                "requests",
                "2xx",
                "lost",
                "dup",
                "unexp",
                "recov",
                "failed"));
        for (Checker.Row row : result.rows()) {
            r.append(String.format(
                    Locale.ROOT,
                    "  %-8s %-30s %8d %6d %6d %6d %6d %6d %6d%n",
                    row.kind(),
                    row.effect(),
                    row.requests(),
                    row.ok(),
                    row.lost(),
                    row.duplicated(),
                    row.unexpected(),
                    row.recovered(),
                    row.failed()));
            checks.add(new String[] {row.kind() + " nothing lost", Boolean.toString(row.lost() == 0)});
            checks.add(new String[] {row.kind() + " nothing unexpected", Boolean.toString(row.unexpected() == 0)});
        }
        checks.add(new String[] {
            "the load ran (signups were made)",
            Boolean.toString(result.rows().getFirst().requests() > 0)
        });
        r.append(
                "  (failed: the client never got a 2xx after its retries; recov: of those, the effect appeared anyway)\n");
        Map<String, int[]> perFault = new TreeMap<>();
        for (Checker.Finding f : result.findings()) {
            int[] counts =
                    perFault.computeIfAbsent(f.start() < 0 ? "(no request)" : faultAt(f.start()), k -> new int[3]);
            counts[f.verdict().startsWith("lost") ? 0 : f.verdict().startsWith("dup") ? 1 : 2]++;
        }
        r.append("  by fault window (request start within injection .. restoration + 60 s):\n");
        if (perFault.isEmpty()) {
            r.append("    nothing lost, duplicated or unexpected\n");
        }
        perFault.forEach((k, v) -> r.append(
                String.format(Locale.ROOT, "    %-14s lost %d, duplicated %d, unexpected %d%n", k, v[0], v[1], v[2])));
        // Examples: the rare verdicts first (unexpected, duplicated), then the lost; all of them in findings.txt.
        result.findings().stream()
                .sorted(Comparator.comparingInt(f -> f.verdict().startsWith("lost") ? 1 : 0))
                .limit(12)
                .forEach(f -> r.append("    e.g. ")
                        .append(f.kind())
                        .append(' ')
                        .append(f.verdict())
                        .append(' ')
                        .append(f.key())
                        .append(f.start() > 0 ? " at " + t(f.start()) : "")
                        .append('\n'));

        latency(r);
        recovery(r);
        backlog(r);
        errors(r);
        generator(r);
        capacity(r);

        r.append("\nGatling HTML report: ").append(gatlingReport).append('\n');
        return r.toString();
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private void latency(StringBuilder r) {
        r.append(
                "\n-- latency per minute, ms (API requests of the load and the probe; fault = injection .. restoration + 10 s)\n");
        Map<Integer, List<Long>> steady = new TreeMap<>();
        Map<Integer, List<Long>> fault = new TreeMap<>();
        List<Long> allSteady = new ArrayList<>();
        List<Long> allFault = new ArrayList<>();
        List<Ledger.Line> lines = new ArrayList<>(load);
        lines.addAll(probeLines);
        for (Ledger.Line line : lines) {
            int minute = (int) Math.max(0, (line.start() - loadStart) / 60_000);
            long latency = line.end() - line.start();
            boolean f = inFaultWindow(line.start());
            (f ? fault : steady).computeIfAbsent(minute, k -> new ArrayList<>()).add(latency);
            (f ? allFault : allSteady).add(latency);
        }
        r.append(String.format(Locale.ROOT, "  %-6s %22s %22s%n", "minute", "steady n/p50/p99", "fault n/p50/p99"));
        TreeMap<Integer, Boolean> minutes = new TreeMap<>();
        steady.keySet().forEach(m -> minutes.put(m, true));
        fault.keySet().forEach(m -> minutes.put(m, true));
        for (int m : minutes.keySet()) {
            r.append(String.format(Locale.ROOT, "  %-6d %22s %22s%n", m + 1, cell(steady.get(m)), cell(fault.get(m))));
        }
        r.append(String.format(Locale.ROOT, "  %-6s %22s %22s%n", "all", cell(allSteady), cell(allFault)));
    }

    private static String cell(List<Long> values) {
        if (values == null || values.isEmpty()) {
            return "-";
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return String.format(
                Locale.ROOT, "%d / %.0f / %.0f", sorted.size(), percentile(sorted, 50), percentile(sorted, 99));
    }

    /**
     * Time to recover: from the fault's restoration (its injection, for a node killed for good) to the
     * later of (a) the first probe message sent after it that reached its partner within 2 s and (b) the
     * first signup started after it whose user verified within 20 s (mail delivered and read).
     */
    private void recovery(StringBuilder r) {
        r.append("\n-- time to recover per fault (realtime delivery < 2 s and signup-to-verified < 20 s again)\n");
        Map<String, Ledger.Line> verify = new LinkedHashMap<>();
        for (Ledger.Line line : load) {
            if (line.kind().equals("verify") && line.ok()) {
                verify.put(line.key(), line);
            }
        }
        for (Faults.Window w : windows) {
            long from = w.restoredAt();
            long realtime = probeLines.stream()
                    .filter(l -> l.ok() && l.start() >= from)
                    .filter(l -> {
                        RealtimeProbe.Delivery d = probe.deliveries.get(l.key());
                        return d != null && !d.viaReload() && d.receivedAt() - l.start() <= 2000;
                    })
                    .mapToLong(Ledger.Line::start)
                    .min()
                    .orElse(-1);
            long signup = load.stream()
                    .filter(l -> l.kind().equals("signup") && l.ok() && l.start() >= from)
                    .filter(l ->
                            verify.containsKey(l.key()) && verify.get(l.key()).end() - l.start() <= 20_000)
                    .mapToLong(Ledger.Line::start)
                    .min()
                    .orElse(-1);
            boolean signupsAfter = load.stream().anyMatch(l -> l.kind().equals("signup") && l.start() >= from);
            String text;
            if (signup < 0 && !signupsAfter && realtime >= 0) {
                text = String.format(
                        Locale.ROOT,
                        "realtime %.1f s after restoration; signups not measurable (none started after it)",
                        (realtime - from) / 1000.0);
                checks.add(new String[] {w.name() + " recovered", "true"});
            } else if (realtime < 0 || signup < 0) {
                text = "not seen recovered during the load" + (realtime < 0 ? " (realtime)" : "")
                        + (signup < 0 ? " (signups)" : "");
                checks.add(new String[] {w.name() + " recovered", "false"});
            } else {
                long recoveredAt = Math.max(realtime, signup);
                text = String.format(
                        Locale.ROOT,
                        "%.1f s after restoration (%.1f s after injection)",
                        (recoveredAt - from) / 1000.0,
                        (recoveredAt - w.injectedAt()) / 1000.0);
                checks.add(new String[] {w.name() + " recovered", "true"});
            }
            r.append(String.format(Locale.ROOT, "  %-10s %s%n", w.name(), text));
        }
    }

    private void backlog(StringBuilder r) {
        Sampler.Sample peak = sampler.samples.stream()
                .max(Comparator.comparingLong(Sampler.Sample::backlog))
                .orElse(null);
        r.append("\n-- backlog (outbox rows + email and media queues: waiting, pending, retrying)\n");
        if (peak == null) {
            r.append("  no samples\n");
            return;
        }
        r.append(String.format(
                Locale.ROOT,
                "  peak %d at %s (outbox %d, email %d, media %d); dead letters at the end %d%n",
                peak.backlog(),
                t(peak.at()),
                peak.outbox(),
                peak.emailBacklog(),
                peak.mediaBacklog(),
                sampler.samples.getLast().dead()));
        long lastNonEmpty = sampler.samples.stream()
                .filter(s -> s.backlog() > 0)
                .mapToLong(Sampler.Sample::at)
                .max()
                .orElse(peak.at());
        r.append(String.format(
                Locale.ROOT,
                "  drain: from the peak to empty %.0f s; after the load ended %s%n",
                (lastNonEmpty - peak.at()) / 1000.0,
                drainedMillis < 0
                        ? "not empty within the cap"
                        : String.format(Locale.ROOT, "%.0f s", drainedMillis / 1000.0)));
        checks.add(new String[] {"backlog drained within the cap", Boolean.toString(drainedMillis >= 0)});
        r.append("  clients held their last event when the backlog was empty: " + sampler.clientsHeld + "\n");
        checks.add(new String[] {
            "no dead letters", Boolean.toString(sampler.samples.getLast().dead() == 0)
        });
    }

    String findingsText() {
        StringBuilder r = new StringBuilder();
        for (Checker.Finding f : result.findings()) {
            r.append(f.kind())
                    .append('\t')
                    .append(f.start() > 0 ? t(f.start()) : "-")
                    .append('\t')
                    .append(f.start() > 0 ? faultAt(f.start()) : "-")
                    .append('\t')
                    .append(f.key())
                    .append('\t')
                    .append(f.verdict())
                    .append('\n');
        }
        return r.toString();
    }

    private void errors(StringBuilder r) {
        Map<String, Integer> byStatus = new TreeMap<>();
        // Every attempt, not only the last: a 500 that the client's retry hid is still a 500 (503 is the allowed
        // answer of a dependency that is down).
        Map<String, Integer> attempts = new TreeMap<>();
        List<Ledger.Line> lines = new ArrayList<>(load);
        lines.addAll(probeLines);
        for (Ledger.Line line : lines) {
            String window = " (" + faultAt(line.start()) + ")";
            if (line.fiveHundred() || line.outcome().equals("error")) {
                byStatus.merge(line.kind() + " " + line.outcome() + window, 1, Integer::sum);
            }
            for (String status : line.attempts()) {
                if (status.startsWith("5")) {
                    attempts.merge(line.kind() + " " + status + window, 1, Integer::sum);
                }
            }
        }
        counts(
                r,
                "final outcomes that were 5xx or no answer (after the client's retries), by request, status and fault window",
                byStatus);
        counts(r, "5xx answers to any attempt, retried or not, by request, status and fault window", attempts);
        long fiveHundreds = attempts.entrySet().stream()
                .filter(e -> e.getKey().contains(" 500 "))
                .mapToLong(Map.Entry::getValue)
                .sum();
        checks.add(new String[] {"no 500 answered, to any attempt", Boolean.toString(fiveHundreds == 0)});
    }

    private static void counts(StringBuilder r, String title, Map<String, Integer> counts) {
        r.append("\n-- ").append(title).append('\n');
        if (counts.isEmpty()) {
            r.append("  none\n");
        }
        counts.forEach((k, v) -> r.append(String.format(Locale.ROOT, "  %-36s %d%n", k, v)));
    }

    /** Did Gatling start the users when the open model said? The largest lag of started users behind the schedule. */
    private void generator(StringBuilder r) {
        List<Long> starts = load.stream()
                .filter(l -> l.kind().equals("signup"))
                .map(Ledger.Line::start)
                .sorted()
                .toList();
        double worst = 0;
        int worstAt = 0;
        int index = 0;
        for (int second = 1; second <= plan.totalSeconds(); second++) {
            long until = loadStart + second * 1000L;
            while (index < starts.size() && starts.get(index) <= until) {
                index++;
            }
            double lag = plan.scheduledBy(second) - index;
            if (lag > worst) {
                worst = lag;
                worstAt = second;
            }
        }
        double scheduled = plan.scheduledBy(plan.totalSeconds());
        boolean behind = worst > Math.max(5, 0.1 * plan.scheduledBy(Math.max(1, worstAt)));
        r.append(String.format(
                Locale.ROOT,
                "%n-- load generator: %d signups started of %.0f scheduled; largest lag %.1f users at t+%ds%s%n",
                starts.size(),
                scheduled,
                worst,
                worstAt,
                behind ? "  ** GENERATOR FELL BEHIND: the load was lighter than planned **" : " (on schedule)"));
        checks.add(new String[] {"generator kept its schedule", Boolean.toString(!behind)});
    }

    private double cpuDelta(String role) {
        Sampler.Sample first = sampler.samples.stream()
                .filter(s -> s.at() >= loadStart)
                .findFirst()
                .orElse(null);
        Sampler.Sample last = sampler.samples.isEmpty() ? null : sampler.samples.getLast();
        if (first == null || last == null) {
            return 0;
        }
        return last.cpu().getOrDefault(role, 0.0) - first.cpu().getOrDefault(role, 0.0);
    }

    private void capacity(StringBuilder r) throws Exception {
        long signups =
                load.stream().filter(l -> l.kind().equals("signup") && l.ok()).count();
        long requests = load.size();
        long mails = result.rows().getFirst().ok();
        long resizes = load.stream()
                .filter(l -> (l.kind().equals("avatar") || l.kind().equals("photo")) && l.ok())
                .count();
        double apiCpu = cpuDelta("API");
        double workerCpu = cpuDelta("WORKER");
        double gatewayCpu = cpuDelta("GATEWAY");
        double pgCpu = cpuDelta("POSTGRES");
        double apiCpuPerSignup = signups == 0 ? 0 : apiCpu / signups;
        // Worker CPU split: resizes at most their preflight wall time each, the rest to emails.
        double resizeCpu = Math.min(workerCpu * 0.9, resizes * Math.max(0, preflight.resizeMillis()) / 1000.0);
        double secondsPerResize = resizes == 0 ? preflight.resizeMillis() / 1000.0 : resizeCpu / resizes;
        double secondsPerEmail = mails == 0 ? 0 : (workerCpu - resizeCpu) / mails;
        long connections = probe.listeners.size();
        double measuredPerConnection =
                connections == 0 ? 0 : Math.max(0, gatewayRssAfter - gatewayRssBefore) / (double) connections;
        // A handful of connections moves a JVM's RSS less than its own heap and JIT do: below 100 the
        // measurement is noise, and the plan uses the assumption instead (and says so).
        boolean connectionMeasured = connections >= 100;
        double bytesPerConnection = connectionMeasured ? measuredPerConnection : 64 * 1024;
        double bytesPerJob = sampler.samples.stream()
                .filter(s -> s.streamEntries() >= 5)
                .mapToDouble(s -> s.streamBytes() / (double) s.streamEntries())
                .max()
                .orElse(-1);
        boolean jobMeasured = bytesPerJob > 0;
        if (!jobMeasured) {
            bytesPerJob = 1024;
        }
        double bytesPerEventMeasured = bytesPerEvent;
        double bytesPerEvent = bytesPerEventMeasured > 0 ? bytesPerEventMeasured : 300;
        double pgCpuPerSignup = signups == 0 ? 0 : pgCpu / signups;
        double requestsPerSignup = signups == 0 ? 0 : requests / (double) signups;
        LatencySample sample = lambdaLatencySample(
                load.stream()
                        .filter(l -> !inFaultWindow(l.start()) && !inFaultWindow(l.end()))
                        .toList(),
                loadStart,
                plan);
        double meanLatency = meanSeconds(sample.lines(), 0.1);
        double signupLatency = meanSeconds(
                sample.lines().stream().filter(l -> l.kind().equals("signup")).toList(), 0.3);
        double avatarsPerSignup = signups == 0 ? 0 : resizes / (double) signups;

        double target = Double.parseDouble(System.getProperty("rehearsal.target", "1000"));
        double lambda = target / 60.0;
        double sessionSeconds = 600;
        double nodeMemory = 2.0 * 1024 * 1024 * 1024;
        double vcpuPerAcu = 0.25;
        double eventsPerUser = 1000;
        double outageSeconds = 1200;
        long apiConcurrency = (long) Math.ceil(lambda * requestsPerSignup * meanLatency / U);
        long signupConcurrency = (long) Math.ceil(lambda * signupLatency / U);
        long emailTasks = (long) Math.ceil(lambda * secondsPerEmail / U);
        long mediaTasks = (long) Math.ceil(lambda * avatarsPerSignup * secondsPerResize / U);
        double connectionsAtTarget = lambda * sessionSeconds;
        long gatewayNodes =
                (long) Math.ceil(connectionsAtTarget * Math.max(bytesPerConnection, 16 * 1024) / (U * nodeMemory)) + 1;
        double redisBytes = (lambda * outageSeconds * (1 + avatarsPerSignup) * bytesPerJob
                        + connectionsAtTarget * eventsPerUser * bytesPerEvent)
                / U;
        double acu = Math.max(0.5, Math.ceil(2 * lambda * pgCpuPerSignup / (U * vcpuPerAcu)) / 2);

        Map<String, Object> units = new LinkedHashMap<>();
        units.put("apiCpuSecondsPerSignup", round(apiCpuPerSignup));
        units.put("apiRequestsPerSignup", round(requestsPerSignup));
        units.put("apiMeanLatencySeconds", round(meanLatency));
        units.put("signupLatencySeconds", round(signupLatency));
        units.put("apiLatencySource", sample.source());
        units.put("workerCpuSecondsPerEmail", round(secondsPerEmail));
        units.put("workerSecondsPerResize", round(secondsPerResize));
        units.put("resizesPerSignup", round(avatarsPerSignup));
        units.put("gatewayBytesPerConnection", Math.round(bytesPerConnection));
        units.put(
                "gatewayBytesPerConnectionSource",
                connectionMeasured
                        ? "measured"
                        : String.format(
                                Locale.ROOT,
                                "assumed (only %d probe connections; RSS delta %.0f B each is noise)",
                                connections,
                                measuredPerConnection));
        units.put("redisBytesPerEvent", Math.round(bytesPerEvent));
        units.put(
                "redisBytesPerEventSource",
                bytesPerEventMeasured > 0 ? "measured (MEMORY USAGE of event logs)" : "assumed");
        units.put("gatewayCpuSeconds", round(gatewayCpu));
        units.put("redisBytesPerJob", Math.round(bytesPerJob));
        units.put(
                "redisBytesPerJobSource",
                jobMeasured ? "measured (MEMORY USAGE / XLEN of duet:q:email at its deepest)" : "assumed");
        units.put("postgresCpuSecondsPerSignup", round(pgCpuPerSignup));
        units.put("hashMillis", round(preflight.hashMillis()));
        Map<String, Object> assumptions = new LinkedHashMap<>();
        assumptions.put("utilisationCap", U);
        assumptions.put("sessionSeconds", sessionSeconds);
        assumptions.put("gatewayNodeMemoryBytes", (long) nodeMemory);
        assumptions.put("gatewayMinBytesPerConnection", 16 * 1024);
        assumptions.put("vcpuPerWorkerTask", 1);
        assumptions.put("vcpuPerAcu", vcpuPerAcu);
        assumptions.put("eventsKeptPerUser", eventsPerUser);
        assumptions.put("outageSecondsToBuffer", outageSeconds);
        Map<String, Object> planOut = new LinkedHashMap<>();
        planOut.put("lambdaConcurrencyApi", apiConcurrency);
        planOut.put("lambdaConcurrencySignup", signupConcurrency);
        planOut.put("workerTasksEmail", Math.max(1, emailTasks));
        planOut.put("workerTasksMedia", Math.max(1, mediaTasks));
        planOut.put("gatewayNodes", gatewayNodes);
        planOut.put("redisMemoryBytes", Math.round(redisBytes));
        planOut.put("auroraAcu", acu);
        Map<String, String> formulas = new LinkedHashMap<>();
        formulas.put("lambdaConcurrencyApi", "ceil(lambda * apiRequestsPerSignup * apiMeanLatencySeconds / U)");
        formulas.put("lambdaConcurrencySignup", "ceil(lambda * signupLatencySeconds / U)");
        formulas.put("workerTasksEmail", "ceil(lambda * workerCpuSecondsPerEmail / (U * vcpuPerWorkerTask))");
        formulas.put(
                "workerTasksMedia",
                "ceil(lambda * resizesPerSignup * workerSecondsPerResize / (U * vcpuPerWorkerTask))");
        formulas.put(
                "gatewayNodes",
                "ceil(lambda * sessionSeconds * max(gatewayBytesPerConnection, gatewayMinBytesPerConnection) / (U * gatewayNodeMemoryBytes)) + 1");
        formulas.put(
                "redisMemoryBytes",
                "(lambda * outageSecondsToBuffer * (1 + resizesPerSignup) * redisBytesPerJob + lambda * sessionSeconds * eventsKeptPerUser * redisBytesPerEvent) / U");
        formulas.put("auroraAcu", "max(0.5, ceil(2 * lambda * postgresCpuSecondsPerSignup / (U * vcpuPerAcu)) / 2)");
        capacity.put("source", "duet rehearse (" + options.mode() + ")");
        capacity.put("targetSignupsPerMinute", target);
        capacity.put("lambdaPerSecond", round(lambda));
        capacity.put("unitCosts", units);
        capacity.put("assumptions", assumptions);
        capacity.put("plan", planOut);
        capacity.put("formulas", formulas);
        capacity.put(
                "extrapolated",
                List.of(
                        "Lambda is not exercised here: its concurrency comes from this run's request latencies at the usual rate (see apiLatencySource)",
                        "Aurora ACU from local PostgreSQL CPU and an assumed vCPU per ACU",
                        "worker CPU is split between emails and resizes using the preflight resize time",
                        "memory per connection: measured only with 100+ connections, else assumed (see gatewayBytesPerConnectionSource)",
                        "sessionSeconds, eventsKeptPerUser and outageSecondsToBuffer are assumptions, not measurements"));

        r.append(String.format(
                Locale.ROOT,
                "%n-- capacity plan for %.0f signups/min per region (lambda = %.2f/s, U = %.1f; Little's law L = lambda * W)%n",
                target,
                lambda,
                U));
        r.append(String.format(
                Locale.ROOT,
                "  unit costs: API %.3f CPU-s/signup (%.1f requests, mean %.0f ms), email %.4f CPU-s, resize %.3f s, "
                        + "%.0f B/connection (%s), Redis %.0f B/job, %.0f B/event, PostgreSQL %.3f CPU-s/signup%n",
                apiCpuPerSignup,
                requestsPerSignup,
                meanLatency * 1000,
                secondsPerEmail,
                secondsPerResize,
                bytesPerConnection,
                connectionMeasured ? "measured" : "assumed",
                bytesPerJob,
                bytesPerEvent,
                pgCpuPerSignup));
        for (var e : planOut.entrySet()) {
            r.append(String.format(
                    Locale.ROOT, "  %-24s %-14s = %s%n", e.getKey(), e.getValue(), formulas.get(e.getKey())));
        }
        r.append("  extrapolated: Lambda is not exercised here; Aurora ACU assumes " + vcpuPerAcu
                + " vCPU per ACU; see capacity-inputs.json\n");
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }

    String capacityJson() throws Exception {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(capacity) + "\n";
    }

    String passedLine() {
        long passed = checks.stream().filter(c -> c[1].equals("true")).count();
        long failed = checks.size() - passed;
        StringBuilder r = new StringBuilder();
        for (String[] c : checks) {
            if (c[1].equals("false")) {
                r.append("FAILED: ").append(c[0]).append('\n');
            }
        }
        Map<String, Object> plan = (Map<String, Object>) capacity.get("plan");
        r.append(String.format(
                Locale.ROOT,
                "RESULT mode=%s pass=%s lost=%d duplicated=%d unexpected=%d recovered=%d signups=%d drained_s=%s "
                        + "lambda_api=%s email_tasks=%s media_tasks=%s gateway_nodes=%s aurora_acu=%s%n",
                options.mode(),
                result.passed(),
                result.lost(),
                result.duplicated(),
                result.unexpected(),
                result.recovered(),
                result.rows().getFirst().ok(),
                drainedMillis < 0 ? "cap" : Long.toString(drainedMillis / 1000),
                plan.get("lambdaConcurrencyApi"),
                plan.get("workerTasksEmail"),
                plan.get("workerTasksMedia"),
                plan.get("gatewayNodes"),
                plan.get("auroraAcu")));
        r.append(passed).append(" passed, ").append(failed).append(" failed");
        return r.toString();
    }
}

package io.duet.api.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** What the benchmarks read from Linux's /proc about a process: CPU time and resident memory. */
public final class ProcStat {
    private ProcStat() {}

    /** utime + stime of a {@code /proc/.../stat} file (fields 14 and 15), in clock ticks (100 per second). */
    public static long cpuTicks(Path stat) throws IOException {
        String line = Files.readString(stat);
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** CPU time of process {@code pid}, in clock ticks. */
    public static long cpuTicks(long pid) throws IOException {
        return cpuTicks(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /**
     * CPU time of process {@code pid}'s live threads in clock ticks, summed by the group {@code group} gives
     * each thread's name (its {@code comm}, at most 15 characters). Threads that ended are not counted.
     */
    public static Map<String, Long> cpuTicksByThread(long pid, Function<String, String> group) throws IOException {
        Map<String, Long> ticks = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    ticks.merge(group.apply(name), cpuTicks(task.resolve("stat")), Long::sum);
                } catch (IOException ended) {
                    // the thread exited between the listing and the read
                }
            }
        }
        return ticks;
    }

    /**
     * CPU time of every live process whose command ({@code comm}) is {@code command}, e.g. {@code postgres}
     * (its backends and workers) or {@code redis-server}, in clock ticks. Processes that ended are not counted.
     */
    public static long cpuTicksOfCommand(String command) throws IOException {
        long ticks = 0;
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.toList()) {
                if (!process.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (Files.readString(process.resolve("comm")).strip().equals(command)) {
                        ticks += cpuTicks(process.resolve("stat"));
                    }
                } catch (IOException ended) {
                    // the process exited between the listing and the read
                }
            }
        }
        return ticks;
    }

    /**
     * CPU time of the whole machine in clock ticks summed over its cores: {@code busy} is all but idle and
     * iowait. {@link #machineTicks()} reads the counters so far; {@link #since} is what was used in between.
     */
    public record MachineTicks(long busy, long total) {
        public MachineTicks since(MachineTicks before) {
            return new MachineTicks(busy - before.busy, total - before.total);
        }

        /** The share of the machine's CPU time that was busy (0 when no time passed). */
        public double busyShare() {
            return total == 0 ? 0 : (double) busy / total;
        }
    }

    /** The whole machine's CPU so far, from {@code /proc/stat}. */
    public static MachineTicks machineTicks() throws IOException {
        String[] fields =
                Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(fields.length, 9); i++) {
            total += Long.parseLong(fields[i]);
        }
        long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
        return new MachineTicks(total - idle, total);
    }

    /** Resident memory of process {@code pid}, in KiB (0 when /proc does not say). */
    public static long rssKb(long pid) throws IOException {
        return statusKb(pid, "VmRSS");
    }

    /** A size from {@code /proc/PID/status} in KiB, e.g. {@code RssAnon} (resident memory not backed by a file); 0 when absent. */
    public static long statusKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}

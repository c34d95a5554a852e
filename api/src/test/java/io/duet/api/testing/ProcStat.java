package io.duet.api.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /** Resident memory of process {@code pid}, in KiB (0 when /proc does not say). */
    public static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}

package io.mjpegserver.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, from Linux's {@code /proc/PID/stat} and {@code /proc/PID/status}.
 *
 * @param cpuNanos user plus system time (the kernel counts it in USER_HZ ticks, 100 per second)
 * @param rssBytes resident set size now
 * @param hwmBytes peak resident set size over the process's life
 */
record ProcStat(long cpuNanos, long rssBytes, long hwmBytes) {

    /** {@code sysconf(_SC_CLK_TCK)}: 100 on every Linux architecture's user-space ABI. */
    private static final long TICK_NANOS = 10_000_000L;

    /** @throws IOException when the process is gone or this is not Linux */
    static ProcStat read(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) may hold spaces and parentheses; fields after the last ')' do not.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // After the name: field 3 (state) is fields[0], so utime (14) is fields[11] and stime (15) fields[12].
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        long rss = 0;
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kilobytes(line);
            } else if (line.startsWith("VmHWM:")) {
                hwm = kilobytes(line);
            }
        }
        return new ProcStat(ticks * TICK_NANOS, rss, hwm);
    }

    private static long kilobytes(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }
}

package dev.windowkv.experiments.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process, from {@code /proc/self/status} (Linux); -1 where it is not available. */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** Current resident set (VmRSS), bytes. */
    public static long residentBytes() {
        return field("VmRSS:");
    }

    /** Peak resident set (VmHWM), bytes. */
    public static long peakResidentBytes() {
        return field("VmHWM:");
    }

    /**
     * Starts a new peak: writing 5 to {@code /proc/self/clear_refs} resets VmHWM to the current
     * resident set (Linux 4.0+), so {@link #peakResidentBytes} then gives the peak of what follows.
     * Returns false where that is not possible (the peak is then the process's).
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}

package dev.windowkv.engine.backend.tornado;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-task kernel times read from TornadoVM's profiler log ({@code TornadoProfilerResult.getProfileLog},
 * with {@code ProfilerMode.SILENT}): one JSON object per graph execution, appended, in which each
 * task is an object keyed by its id ({@code graph.task}) holding {@code "TASK_KERNEL_TIME": "ns"}.
 * Plain text, so it lives outside the tornado source set and is tested without TornadoVM. The log is
 * a concatenation of objects, not one JSON document, and task objects hold no nested objects: a
 * pattern over the innermost braces reads it without a JSON library in the engine.
 */
public final class ProfileLog {
    private ProfileLog() {}

    /**
     * Kernel time summed over the tasks of a log (or the part of it after an earlier reading).
     *
     * @param kernelNanos  every task's device kernel time
     * @param matchedNanos the kernel time of the tasks with one of the names asked ({@link #kernelTimes})
     * @param tasks        task executions read (those with a kernel time)
     */
    public record Times(long kernelNanos, long matchedNanos, int tasks) {}

    private static final Pattern TASK = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\\{([^{}]*)}");
    private static final Pattern KERNEL_TIME = Pattern.compile("\"TASK_KERNEL_TIME\"\\s*:\\s*\"(\\d+)\"");

    /**
     * The kernel times in {@code log}; {@code matchedNanos} sums the tasks whose name (the id after
     * its graph's) is one of {@code names} (the decode's attention is two tasks, split-K's passes).
     */
    public static Times kernelTimes(CharSequence log, String... names) {
        List<String> asked = List.of(names);
        long all = 0, matched = 0;
        int tasks = 0;
        Matcher m = TASK.matcher(log);
        while (m.find()) {
            Matcher t = KERNEL_TIME.matcher(m.group(2));
            if (!t.find()) continue;
            long ns = Long.parseLong(t.group(1));
            String id = m.group(1);
            all += ns;
            tasks++;
            if (asked.contains(id.substring(id.lastIndexOf('.') + 1))) matched += ns;
        }
        return new Times(all, matched, tasks);
    }
}

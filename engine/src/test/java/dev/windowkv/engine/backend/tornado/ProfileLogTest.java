package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Reading per-task kernel times from TornadoVM's profiler log, in the layout its TimeProfiler.createJson writes. */
class ProfileLogTest {
    /** One execution of a graph {@code graph} with an attention task and a matmul, as TornadoVM 5.2.0 writes it. */
    private static String execution(String graph, long attention, long wo) {
        return "{\n"
                + "    \"" + graph + "\": {\n"
                + "        \"TOTAL_KERNEL_TIME\": \"" + (attention + wo) + "\",\n"
                + "        \"TOTAL_COPY_IN_SIZE_BYTES\": \"72\",\n"
                + "        \"" + graph + ".attention\": {\n"
                + "            \"BACKEND\": \"OPENCL\",\n"
                + "            \"METHOD\": \"LayerKernels.attentionDecode\",\n"
                + "            \"DEVICE_ID\": \"0:0\",\n"
                + "            \"DEVICE\": \"cpu-skylake-avx512\",\n"
                + "            \"TASK_KERNEL_TIME\": \"" + attention + "\"\n"
                + "        }, \n"
                + "        \"" + graph + ".wo\": {\n"
                + "            \"BACKEND\": \"OPENCL\",\n"
                + "            \"METHOD\": \"MatmulKernels.q8_0Residual\",\n"
                + "            \"DEVICE_ID\": \"0:0\",\n"
                + "            \"DEVICE\": \"cpu-skylake-avx512\",\n"
                + "            \"TASK_COMPILE_GRAAL_TIME\": \"5000000\",\n"
                + "            \"TASK_KERNEL_TIME\": \"" + wo + "\"\n"
                + "        }\n"
                + "    }\n"
                + "}\n";
    }

    @Test
    void sumsEveryTasksKernelTimeAndTheNamedTasksApart() {
        String log = execution("layer0", 1200, 800) + execution("layer1", 3400, 900) + execution("layer0", 1000, 700);
        ProfileLog.Times t = ProfileLog.kernelTimes(log, "attention");
        assertEquals(1200 + 3400 + 1000, t.matchedNanos());
        assertEquals(1200 + 800 + 3400 + 900 + 1000 + 700, t.kernelNanos());
        assertEquals(6, t.tasks());
    }

    @Test
    void readsOnlyThePartAfterAnEarlierReading() {
        String first = execution("layer0", 1200, 800);
        String log = first + execution("layer0", 5000, 800);
        ProfileLog.Times t = ProfileLog.kernelTimes(log.substring(first.length()), "attention");
        assertEquals(5000, t.matchedNanos());
        assertEquals(2, t.tasks());
    }

    /** Several names: the tasks with any of them count (split-K attention's partial pass and combine). */
    @Test
    void sumsTheTasksOfEveryNameAsked() {
        String log = execution("layer0", 1200, 800) + execution("layer1", 3400, 900);
        ProfileLog.Times t = ProfileLog.kernelTimes(log, "attention", "wo");
        assertEquals(1200 + 800 + 3400 + 900, t.matchedNanos());
        assertEquals(800 + 900, ProfileLog.kernelTimes(log, "wo").matchedNanos());
    }

    /** A task named like the one asked for, but only as a prefix or inside another name, is not it. */
    @Test
    void matchesTheWholeTaskNameAfterItsGraph() {
        String log = execution("layer0", 1200, 800).replace("layer0.attention", "layer0.attentionNorm");
        assertEquals(0, ProfileLog.kernelTimes(log, "attention").matchedNanos());
        assertEquals(0, ProfileLog.kernelTimes("", "attention").tasks());
    }
}

package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/** What the device kernel tests share: random inputs, and running a graph that must have run on the device. */
final class DeviceTests {
    private DeviceTests() {}

    static float[] gaussian(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }

    /**
     * Runs {@code g} once with {@code grid} (null for none) and the profiler on, and fails unless a
     * kernel ran on the device: with bailout off (the tornado profile sets it) a kernel that does not
     * compile throws instead of running as Java, and the device kernel time shows the device ran it.
     * Returns the device kernel time in nanoseconds.
     */
    static long run(TaskGraph g, GridScheduler grid) {
        requireBailoutOff();
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withProfiler(ProfilerMode.SILENT);
            if (grid != null) {
                plan.withGridScheduler(grid);
            }
            long kernel = plan.execute().getProfilerResult().getDeviceKernelTime();
            assertTrue(kernel > 0, "no kernel time on the device");
            return kernel;
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException(e);
        }
    }

    /** With bailout on, a kernel that fails to compile would quietly run as Java and pass. */
    static void requireBailoutOff() {
        assertEquals("False", System.getProperty("tornado.recover.bailout"), "bailout must be off, or a failed JIT runs as Java");
    }

    /**
     * |expected − actual| within {@code rel} of {@code scale[i]} (a sum of absolute terms, which
     * bounds the rounding of any summation order) plus 1e-6.
     */
    static void within(float[] expected, float[] actual, float[] scale, float rel, String what) {
        for (int i = 0; i < expected.length; i++) {
            float tol = rel * scale[i] + 1e-6f;
            assertEquals(expected[i], actual[i], tol, what + " [" + i + "]");
        }
    }
}

package dev.windowkv.engine.backend;

import dev.windowkv.engine.UserError;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A device backend that fails to start (TornadoVM throws plain runtime exceptions and errors when
 * it finds no device or runs without its JVM flags) is a one-line user error, like a missing one.
 */
class BackendStartErrorTest {
    /** Stands in for TornadoBackend on a machine where TornadoVM cannot start. */
    public static final class NoDevice {
        public NoDevice(int threads) {
            throw new IllegalStateException("[TornadoVM-OCL-JNI] ERROR : clGetPlatformIDs -> Returned: -1001\nno devices");
        }
    }

    public static final class BrokenStaticInit {
        public BrokenStaticInit(int threads) {
            throw new ExceptionInInitializerError(new RuntimeException("TornadoVM runtime not initialised"));
        }
    }

    @Test
    void aBackendThatThrowsWhileStartingIsAUserError() {
        UserError e = assertThrows(UserError.class, () -> Backends.startReflectively(NoDevice.class.getName(), 2));
        assertTrue(e.getMessage().startsWith("TornadoVM did not start"), e.getMessage());
        assertTrue(e.getMessage().contains("clGetPlatformIDs"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        UserError init = assertThrows(UserError.class, () -> Backends.startReflectively(BrokenStaticInit.class.getName(), 2));
        assertTrue(init.getMessage().contains("TornadoVM runtime not initialised"), init.getMessage());
    }

    @Test
    void theTornadoBackendWithoutTornadoVmIsAUserError() {
        // The plain build does not compile the tornado backend; with TORNADOVM_HOME set it starts.
        assumeFalse(compiled("dev.windowkv.engine.backend.tornado.TornadoBackend"),
                "the tornado backend is compiled here (TORNADOVM_HOME set)");
        UserError e = assertThrows(UserError.class, () -> Backends.create("tornado", 2).close());
        assertTrue(e.getMessage().contains("TornadoVM"), e.getMessage());
    }

    private static boolean compiled(String className) {
        try {
            Class.forName(className, false, BackendStartErrorTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}

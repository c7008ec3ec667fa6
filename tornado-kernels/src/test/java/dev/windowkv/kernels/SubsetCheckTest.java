package dev.windowkv.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every compiled kernel class stays inside the subset TornadoVM compiles. Runs without TornadoVM:
 * it reads the bytecode, so CI catches a kernel that would only fail (or silently fall back to
 * Java) on a device.
 */
class SubsetCheckTest {

    private static final String KERNELS = "dev/windowkv/kernels/";

    @Test
    void everyKernelClassIsInTornadoVmsSubset() throws IOException, URISyntaxException {
        Path classes = Path.of(KMath.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        KernelSubset subset = new KernelSubset(KERNELS);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes.resolve(KERNELS))) {
            files = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
        for (Path f : files) {
            subset.check(Files.readAllBytes(f));
        }
        assertTrue(files.size() >= 19, "expected the kernel classes under " + classes + ", found " + files.size());
        for (String decode : List.of("Attention.class", "SplitAttention.class", "Argmax.class")) { // the device decode's
            assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals(decode)), decode + " not checked");
        }
        assertEquals(HOST_ONLY_BIT_CASTS, subset.violations(), "kernels outside TornadoVM's subset");
    }

    /**
     * The kernels that run on the host only. Bit casts: F32 and BF16 weights (through Bytes.f32 and
     * Half.bf16ToF32) and the f32-to-f16/bf16 roundings of the KV cache and quantizer. Narrow
     * integer reads: the 4/5/6-bit quant kernels unpack bytes with integer arithmetic, and the F16
     * KV cache decodes short bits, both of which TornadoVM 5.2.0's OpenCL backend computes in 8/16
     * bits (see KernelSubset.NARROW_LOADS). Everything a Q8_0 or F16 dot product, attention over an
     * F32 cache, norms, RoPE and the KV scoring and compaction kernels need is free of them. The list
     * may only shrink: a new bit cast or narrow read anywhere fails this test.
     */
    private static final List<String> HOST_ONLY_BIT_CASTS = List.of(
            "dev/windowkv/kernels/Attention.decodeF16([FI[S[SIIII[FIF)V: " + narrow("SALOAD", "INVOKESTATIC"),
            "dev/windowkv/kernels/Attention.decodeF16([FI[S[SIIII[FIF)V: " + narrow("SALOAD", "INVOKESTATIC"),
            "dev/windowkv/kernels/Bytes.f32([BI)F: bit reinterpretation (java/lang/Float.intBitsToFloat(I)F)",
            "dev/windowkv/kernels/Half.f32ToF16(F)S: bit reinterpretation (java/lang/Float.floatToRawIntBits(F)I)",
            "dev/windowkv/kernels/Half.bf16ToF32(I)F: bit reinterpretation (java/lang/Float.intBitsToFloat(I)F)",
            "dev/windowkv/kernels/Half.f32ToBf16(F)S: bit reinterpretation (java/lang/Float.floatToRawIntBits(F)I)",
            "dev/windowkv/kernels/quant/Q4_0.dot([BI[FII)F: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q4_0.dequantizeRow([BI[FII)V: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q4_K.scale([BII)I: " + narrow("BALOAD", "BIPUSH"),
            "dev/windowkv/kernels/quant/Q4_K.scale([BII)I: " + narrow("BALOAD", "BIPUSH"),
            "dev/windowkv/kernels/quant/Q4_K.scale([BII)I: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q4_K.min([BII)I: " + narrow("BALOAD", "BIPUSH"),
            "dev/windowkv/kernels/quant/Q4_K.min([BII)I: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q4_K.min([BII)I: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q4_K.dot([BI[FII)F: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q4_K.dequantizeRow([BI[FII)V: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q5_K.dot([BI[FII)F: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q5_K.dot([BI[FII)F: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q5_K.dequantizeRow([BI[FII)V: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q5_K.dequantizeRow([BI[FII)V: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q6_K.quant([BII)I: " + narrow("BALOAD", "SIPUSH"),
            "dev/windowkv/kernels/quant/Q6_K.quant([BII)I: " + narrow("BALOAD", "SIPUSH"));

    private static String narrow(String load, String next) {
        return "narrow array element used as an integer (" + load + " then " + next + "; read bytes through Bytes.u8)";
    }

    // Worked examples: each sample breaks one rule, and the check names exactly that.

    static final class Clean {
        private Clean() {}
        static float scaledExp(float[] x, int i, float s) { return KMath.exp(x[i] * s); }
        static int bits(int b) { return b & 0xff; }
    }

    static final class Allocates {
        static float[] scratch(int n) { return new float[n]; }
    }

    static final class Recursive {
        static int factorial(int n) { return n <= 1 ? 1 : n * factorial(n - 1); }
    }

    static final class MutualRecursion {
        static int even(int n) { return n == 0 ? 1 : odd(n - 1); }
        static int odd(int n) { return n == 0 ? 0 : even(n - 1); }
    }

    static final class MathDirectly {
        static float e(float x) { return (float) Math.exp(x); }
    }

    static final class StaticWrite {
        static int calls;
        static void count() { calls++; }
    }

    static final class Throws {
        static int checked(int[] a, int i) {
            try {
                return a[i];
            } catch (ArrayIndexOutOfBoundsException e) {
                return 0;
            }
        }
    }

    static final class BitCast {
        static float fromBits(int[] bits, int i) { return Float.intBitsToFloat(bits[i]); }
    }

    static final class ByteArithmetic {
        private ByteArithmetic() {}
        static int unsigned(byte[] b, int i) { return b[i] & 0xff; }
        static float widened(byte[] b, int i) { return b[i] * 0.5f; }
    }

    static final class Prints {
        static void show(float x) { System.out.println(x); }
    }

    @Test
    void aCleanKernelPasses() {
        assertEquals(List.of(), violationsOf(bytes(Clean.class)));
    }

    @Test
    void allocationIsReported() {
        assertEquals(List.of(name(Allocates.class) + ".scratch(I)[F: allocation (NEWARRAY)"),
                violationsOf(bytes(Allocates.class)));
    }

    @Test
    void recursionIsReported() {
        assertEquals(List.of(name(Recursive.class) + ".factorial(I)I: recursion (calls "
                        + name(Recursive.class) + ".factorial(I)I, which is on its own call path)"),
                violationsOf(bytes(Recursive.class)));
        List<String> mutual = violationsOf(bytes(MutualRecursion.class));
        assertEquals(1, mutual.size(), mutual::toString);
        assertTrue(mutual.getFirst().contains(": recursion (calls "), mutual::toString);
    }

    @Test
    void mathOutsideKMathIsReported() {
        assertEquals(List.of(name(MathDirectly.class)
                        + ".e(F)F: calls java/lang/Math.exp(D)D directly (go through KMath)"),
                violationsOf(bytes(MathDirectly.class)));
    }

    @Test
    void bitReinterpretationIsReported() {
        assertEquals(List.of(name(BitCast.class)
                        + ".fromBits([II)F: bit reinterpretation (java/lang/Float.intBitsToFloat(I)F)"),
                violationsOf(bytes(BitCast.class)));
    }

    @Test
    void integerArithmeticOnAByteIsReported() {
        assertEquals(List.of(name(ByteArithmetic.class)
                        + ".unsigned([BI)I: narrow array element used as an integer (BALOAD then SIPUSH; read bytes through Bytes.u8)"),
                violationsOf(bytes(ByteArithmetic.class)));
    }

    @Test
    void staticFieldWriteIsReported() {
        assertEquals(List.of(name(StaticWrite.class) + ".count()V: static field write (PUTSTATIC "
                        + name(StaticWrite.class) + ".calls)"),
                violationsOf(bytes(StaticWrite.class)));
    }

    @Test
    void tryCatchIsReported() {
        List<String> v = violationsOf(bytes(Throws.class));
        assertTrue(v.contains(name(Throws.class) + ".checked([II)I: try/catch"), v::toString);
    }

    @Test
    void ioAndVirtualCallsAreReported() {
        List<String> v = violationsOf(bytes(Prints.class));
        String show = name(Prints.class) + ".show(F)V: ";
        assertTrue(v.contains(name(Prints.class) + ": references java/lang/System"), v::toString);
        assertTrue(v.contains(name(Prints.class) + ": references Ljava/io/PrintStream;"), v::toString);
        assertTrue(v.contains(show + "virtual call (INVOKEVIRTUAL java/io/PrintStream.println(F)V)"), v::toString);
        assertTrue(v.contains(show + "reads a non-primitive or foreign static field (GETSTATIC java/lang/System.out)"),
                v::toString);
    }

    @Test
    void missingLocalVariableTableIsReported() {
        ClassFile noDebug = ClassFile.of(ClassFile.DebugElementsOption.DROP_DEBUG);
        byte[] stripped = noDebug.transformClass(noDebug.parse(bytes(Clean.class)),
                ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL));
        List<String> v = violationsOf(stripped);
        assertTrue(v.contains(name(Clean.class) + ".bits(I)I: no LocalVariableTable (compile with -g)"), v::toString);
    }

    private static List<String> violationsOf(byte[] classBytes) {
        KernelSubset subset = new KernelSubset(KERNELS);
        subset.check(classBytes);
        return subset.violations();
    }

    private static String name(Class<?> c) {
        return c.getName().replace('.', '/');
    }

    private static byte[] bytes(Class<?> c) {
        String resource = c.getName().substring(c.getPackageName().length() + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

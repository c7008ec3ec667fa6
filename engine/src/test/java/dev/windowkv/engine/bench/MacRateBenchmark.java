package dev.windowkv.engine.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The multiply-add rates one core reaches through the Vector API, the ceiling of any prefill GEMM
 * built on them: f32 FMA (what PackedGemm runs on dequantized weights) against 16-bit integer
 * multiply then add (what an int8-activation GEMM over Q4_0's nibbles would run; the API has no
 * int8 or int16 dot-product instruction such as VNNI's vpdpbusd or vpmaddwd). Eight independent
 * accumulators, the multiplicands loaded from an L1-resident array as a GEMM's would be.
 * MAC/ns = lanes × 8 / (ns per op), i.e. 16 × 8 / score for f32 and 32 × 8 / score for i16 on AVX-512.
 *
 * <p>On Zen 4 (session 12): 57 MAC/ns f32, 96 i16, so 1.7× as a ceiling. A Q4_0 GEMM on int8
 * activations over Q4_0Repacked's layout (2 rows × 4 tokens per call, q − 8 nibbles, 16-bit sums per
 * block) was written and measured against it, and not kept: 47 MAC/ns against the f32 GEMM's 52 on the
 * same 2,048 × 2,048 × 256 product. A multiply and an add are two instructions for 32 MACs, the same 16
 * per instruction as one FMA; the i16 gain is only that FMA has two of Zen 4's four vector pipes, and the
 * nibble masks and activation loads (12 instructions beside every 16) fill the other two. With eight
 * tokens per call C1 ran out of registers and C2 never compiled the kernel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MacRateBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    private static final int STEPS = 1024;

    private final float[] f = new float[32 * F.length()];
    private final short[] s = new short[32 * S.length()];

    public MacRateBenchmark() {
        for (int i = 0; i < f.length; i++) f[i] = 1e-3f * (i % 97);
        for (int i = 0; i < s.length; i++) s[i] = (short) (i % 15 - 7);
    }

    /** Per op: one step of eight FMAs (8 · F.length() multiply-adds). */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public float f32Fma() {
        FloatVector b0 = FloatVector.fromArray(F, f, 0), b1 = FloatVector.fromArray(F, f, F.length());
        FloatVector b2 = FloatVector.fromArray(F, f, 2 * F.length()), b3 = FloatVector.fromArray(F, f, 3 * F.length());
        FloatVector a0 = b0, a1 = b1, a2 = b2, a3 = b3, a4 = b0, a5 = b1, a6 = b2, a7 = b3;
        for (int i = 0; i < STEPS; i++) {
            int o = (i & 15) * F.length();
            FloatVector x = FloatVector.fromArray(F, f, o), y = FloatVector.fromArray(F, f, o + 16 * F.length());
            a0 = x.fma(b0, a0);
            a1 = x.fma(b1, a1);
            a2 = x.fma(b2, a2);
            a3 = x.fma(b3, a3);
            a4 = y.fma(b0, a4);
            a5 = y.fma(b1, a5);
            a6 = y.fma(b2, a6);
            a7 = y.fma(b3, a7);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }

    /** Per op: one step of eight 16-bit multiplies and adds (8 · S.length() multiply-adds). */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public short i16MulAdd() {
        ShortVector b0 = ShortVector.fromArray(S, s, 0), b1 = ShortVector.fromArray(S, s, S.length());
        ShortVector b2 = ShortVector.fromArray(S, s, 2 * S.length()), b3 = ShortVector.fromArray(S, s, 3 * S.length());
        ShortVector a0 = b0, a1 = b1, a2 = b2, a3 = b3, a4 = b0, a5 = b1, a6 = b2, a7 = b3;
        for (int i = 0; i < STEPS; i++) {
            int o = (i & 15) * S.length();
            ShortVector x = ShortVector.fromArray(S, s, o), y = ShortVector.fromArray(S, s, o + 16 * S.length());
            a0 = x.mul(b0).add(a0);
            a1 = x.mul(b1).add(a1);
            a2 = x.mul(b2).add(a2);
            a3 = x.mul(b3).add(a3);
            a4 = y.mul(b0).add(a4);
            a5 = y.mul(b1).add(a5);
            a6 = y.mul(b2).add(a6);
            a7 = y.mul(b3).add(a7);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }
}

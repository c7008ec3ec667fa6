package dev.windowkv.engine.bench;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.VectorBackend;
import dev.windowkv.engine.backend.simd.Q8_0TwoStreams;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.model.LayerWeights;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.model.Weight;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Where a decoded token's time goes on a real model, in wall time, rounds interleaved in one JVM:
 * <ol>
 *   <li>whole tokens through {@link Transformer#decode} (32 after a 1-token prompt, whose prefill is not timed);</li>
 *   <li>only a token's matrix products (every layer's seven and the output) through the backend;</li>
 *   <li>the same products with the Q8_0 kernel this replaced (two streams per thread, {@link Q8_0TwoStreams});</li>
 *   <li>a SIMD sum over the same weight bytes, split over the same threads: what the memory system gives.</li>
 * </ol>
 * (1) − (2) is everything that is not a weight read; (2) against (4) is the products' distance from
 * the memory system. Then one timed decode with every backend call timed (a proxy), per op.
 * {@code java --add-modules jdk.incubator.vector -cp <jmh class path> dev.windowkv.engine.bench.DecodeProfile <model.gguf> [threads] [rounds]}
 */
public final class DecodeProfile {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int TOKENS = 32;

    public static void main(String[] args) {
        Path path = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        try (Model model = Model.load(path); VectorBackend backend = new VectorBackend(threads)) {
            ModelConfig c = model.config();
            List<Weight> weights = new ArrayList<>();
            for (int l = 0; l < c.nLayers(); l++) {
                LayerWeights w = model.layer(l);
                weights.addAll(List.of(w.wq(), w.wk(), w.wv(), w.wo(), w.gate(), w.up(), w.down()));
            }
            weights.add(model.output());
            long bytes = weights.stream().mapToLong(w -> w.rows() * w.rowBytes()).sum();
            float[][] xs = weights.stream().map(w -> BenchInputs.gaussian(w.cols(), 3)).toArray(float[][]::new);
            float[][] outs = weights.stream().map(w -> new float[w.rows()]).toArray(float[][]::new);
            SplittableRandom rng = new SplittableRandom(1);
            long[] sink = new long[1];

            List<String> names = new ArrayList<>();
            List<Runnable> runs = new ArrayList<>();
            // The prompt's prefill is not timed (as bench's decode): the run reports its decode time in decodeNanos.
            long[] decodeNanos = new long[1];
            names.add("decode (whole tokens)");
            runs.add(() -> {
                try (Transformer tf = prefilled(model, backend, rng)) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < TOKENS; i++) tf.decode(rng.nextInt(model.tokenEmbedding().rows()));
                    decodeNanos[0] = System.nanoTime() - t0;
                }
            });
            names.add("matrix products only");
            runs.add(() -> {
                for (int i = 0; i < weights.size(); i++) backend.matmul(weights.get(i), xs[i], 1, outs[i]);
            });
            if (weights.stream().allMatch(w -> w.type() == GGMLType.Q8_0)) {
                names.add("products, two streams");
                runs.add(() -> {
                    for (int i = 0; i < weights.size(); i++) {
                        Weight w = weights.get(i);
                        int rows = w.rows(), share = (rows + threads - 1) / threads;
                        float[] x = xs[i], out = outs[i];
                        backend.parallelFor(threads, b -> Q8_0TwoStreams.dotRows(w.data(), w.rowBytes(),
                                Math.min(rows, b * share), Math.min(rows, (b + 1) * share), x, 0, w.cols(), out, 0));
                    }
                });
            }
            names.add("streaming sum");
            runs.add(() -> {
                for (Weight w : weights) {
                    long n = w.rows() * w.rowBytes();
                    long share = (n / threads) & ~255L;
                    long[] part = new long[threads];
                    backend.parallelFor(threads, t -> part[t] = sum(w.data(), t * share, t == threads - 1 ? n : (t + 1) * share));
                    sink[0] += part[0];
                }
            });

            double[][] ms = new double[runs.size()][rounds];
            for (int r = -2; r < rounds; r++) {
                for (int k = 0; k < runs.size(); k++) {
                    int reps = k == 0 ? 1 : 8, perRep = k == 0 ? TOKENS : 1;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++) runs.get(k).run();
                    long nanos = k == 0 ? decodeNanos[0] : System.nanoTime() - t0;
                    if (r >= 0) ms[k][r] = nanos / 1e6 / reps / perRep;
                }
            }
            System.out.printf("%s, %d threads, %.2f GB of weights per token, %d rounds%n", path.getFileName(), threads,
                    bytes / 1e9, rounds);
            for (int k = 0; k < runs.size(); k++) {
                double m = median(ms[k]);
                System.out.printf("%-24s median %6.2f ms per token, %5.1f tok/s, %5.1f GB/s of weights; by round %s%n",
                        names.get(k), m, 1e3 / m, bytes / 1e6 / m,
                        Arrays.toString(Arrays.stream(ms[k]).map(v -> Math.round(v * 10) / 10.0).toArray()));
            }
            perOp(model, backend, rng);
            if (sink[0] == 42) System.out.println();
        }
    }

    /** One FullKV prefill of a random token, with room for the decode runs. */
    private static Transformer prefilled(Model model, Backend backend, SplittableRandom rng) {
        ModelConfig c = model.config();
        Transformer tf = new Transformer(model, backend);
        tf.prefill(new int[] {rng.nextInt(model.tokenEmbedding().rows())}, Policies.create("full", Map.of())
                .start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), 1, null), 3 * TOKENS, KvCache.Dtype.F32);
        return tf;
    }

    /** Every backend call of a decode timed through a proxy: time per op per token. */
    private static void perOp(Model model, Backend backend, SplittableRandom rng) {
        Map<String, long[]> byOp = new TreeMap<>();
        Backend timed = (Backend) Proxy.newProxyInstance(DecodeProfile.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, m, a) -> {
                    long t0 = System.nanoTime();
                    try {
                        return m.invoke(backend, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        long[] v = byOp.computeIfAbsent(m.getName(), x -> new long[2]);
                        v[0] += System.nanoTime() - t0;
                        v[1]++;
                    }
                });
        double total;
        try (Transformer tf = prefilled(model, timed, rng)) {
            for (int i = 0; i < TOKENS; i++) tf.decode(rng.nextInt(model.tokenEmbedding().rows()));
            byOp.clear();
            long t0 = System.nanoTime();
            for (int i = 0; i < 2 * TOKENS; i++) tf.decode(rng.nextInt(model.tokenEmbedding().rows()));
            total = (System.nanoTime() - t0) / 1e6 / (2 * TOKENS);
        }
        System.out.printf("one timed decode of %d tokens: %.2f ms per token%n", 2 * TOKENS, total);
        byOp.forEach((k, v) -> System.out.printf("  %-16s %6.2f ms per token, %5.1f calls%n", k, v[0] / 1e6 / (2 * TOKENS),
                v[1] / (2.0 * TOKENS)));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Sums bytes [from, to) of seg as ints in vector lanes: every byte read once, little arithmetic. */
    private static long sum(MemorySegment seg, long from, long to) {
        IntVector acc = IntVector.zero(I);
        long o = from;
        for (; o <= to - B.vectorByteSize(); o += B.vectorByteSize()) {
            acc = acc.add(IntVector.fromMemorySegment(I, seg, o, ByteOrder.LITTLE_ENDIAN));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}

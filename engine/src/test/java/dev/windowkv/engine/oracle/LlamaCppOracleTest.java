package dev.windowkv.engine.oracle;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.testutil.RandomModels;
import dev.windowkv.engine.tokenizer.Tokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Our engine against llama.cpp on the same random-weight GGUF files ({@link RandomModels}): llama with
 * GQA and qwen2 with QKV biases, in F32, F16, Q8_0 and Q4_0, ours on the scalar and vector backends.
 *
 * <ul>
 *   <li>(a) The next-token log-probabilities agree: for the top token A and the next
 *       {@value #PROBED} tokens B (that llama.cpp can name by their text), llama.cpp's
 *       {@code log p(A) - log p(B)} (measured by bisecting a logit bias, see {@link LlamaCpp}) is
 *       within {@link #tolerance} of ours. Checked after the prompt (our prefill path) and after the
 *       prompt plus {@value #DECODE_CHECK} generated tokens (our decode path, over the KV cache).</li>
 *   <li>(b) The greedy continuation of {@value #GREEDY} tokens is identical (as text: the binding
 *       gives no token ids).</li>
 * </ul>
 *
 * <p>Tolerances are on log-probability differences (nats). llama.cpp rounds the activations before
 * its dot products (to F16 for F16 weights, to Q8_0 blocks for Q8_0/Q4_0 weights) where we keep them
 * F32, so its logits differ from ours by that rounding, carried through the layers; measured maxima
 * are in the report of this test's commit and the tolerances leave about 3× headroom.
 */
class LlamaCppOracleTest {
    static final int PROMPT = 16;
    static final int GREEDY = 32;
    static final int DECODE_CHECK = 16;
    static final int PROBED = 4;
    /** Bisection steps on the logit bias: the measured gap is known to tolerance / 2^STEPS. */
    static final int STEPS = 10;
    private static final int CONTROL = 3; // llama.cpp's token type: rendered as no text

    static double tolerance(GGMLType t) {
        return switch (t) {
            case F32 -> 1e-3;
            case F16 -> 6e-3;
            case Q8_0 -> 0.15;
            default -> 0.2;
        };
    }

    static Stream<RandomModels.Spec> models() {
        List<RandomModels.Spec> all = new ArrayList<>();
        for (GGMLType t : RandomModels.TYPES) {
            all.add(RandomModels.llama(t));
            all.add(RandomModels.qwen2(t));
        }
        return all.stream();
    }

    /** What our engine computes for one file on one backend. */
    record Ours(String greedyText, float[] promptLogits, float[] decodeLogits, int[] decodeContext) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void agreesWithLlamaCpp(RandomModels.Spec spec) {
        var path = RandomModels.file(spec);
        try (Model model = Model.load(path); LlamaCpp llama = new LlamaCpp(path, 128)) {
            int[] prompt = prompt(model.tokenizer(), spec.seed());
            int[] types = model.file().getIntArray("tokenizer.ggml.token_type");
            Ours scalar = run(model, "scalar", prompt, types);
            Ours vector = run(model, "vector", prompt, types);

            String theirs = llama.greedy(prompt, GREEDY);
            assertEquals(theirs, scalar.greedyText, spec.fileName() + ": greedy continuation, scalar backend");
            assertEquals(theirs, vector.greedyText, spec.fileName() + ": greedy continuation, vector backend");

            double tol = tolerance(spec.type());
            double worst = 0;
            for (Ours ours : List.of(scalar, vector)) {
                worst = Math.max(worst, gapError(llama, model.tokenizer(), types, prompt, ours.promptLogits, tol, spec));
                worst = Math.max(worst, gapError(llama, model.tokenizer(), types, ours.decodeContext, ours.decodeLogits, tol, spec));
            }
            System.out.printf("oracle %s: max |Δ log-prob gap| = %.2e (tolerance %.0e)%n", spec.fileName(), worst, tol);
        }
    }

    /** BOS and seeded ordinary tokens. */
    static int[] prompt(Tokenizer tok, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] p = new int[PROMPT];
        p[0] = tok.bos();
        for (int i = 1; i < PROMPT; i++) p[i] = rnd.nextInt(1000, 100_000);
        return p;
    }

    static Ours run(Model model, String backendName, int[] prompt, int[] types) {
        var c = model.config();
        try (Backend backend = Backends.create(backendName, 2)) {
            Transformer tf = new Transformer(model, backend);
            var compressor = Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(),
                    prompt.length, null);
            float[] logits = tf.prefill(prompt, compressor, GREEDY, KvCache.Dtype.F32);
            float[] promptLogits = logits;
            float[] decodeLogits = null;
            int[] context = null;
            Tokenizer tok = model.tokenizer();
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            int[] seq = Arrays.copyOf(prompt, prompt.length + GREEDY);
            for (int i = 0; i < GREEDY; i++) {
                int next = argmax(logits);
                if (tok.isEndOfGeneration(next)) break;
                if (types[next] != CONTROL) text.writeBytes(tok.tokenBytes(next));
                seq[prompt.length + i] = next;
                if (i + 1 == GREEDY) break;
                logits = tf.decode(next);
                if (i + 1 == DECODE_CHECK) {
                    decodeLogits = logits;
                    context = Arrays.copyOf(seq, prompt.length + DECODE_CHECK);
                }
            }
            if (decodeLogits == null) fail("generation ended before " + DECODE_CHECK + " tokens");
            return new Ours(text.toString(StandardCharsets.UTF_8), promptLogits, decodeLogits, context);
        }
    }

    /**
     * Measures llama.cpp's {@code logit(A) - logit(B)} for our top token A and the next {@value #PROBED}
     * nameable tokens B; fails if any differs from ours by more than {@code tol}; returns the largest difference.
     */
    static double gapError(LlamaCpp llama, Tokenizer tok, int[] types, int[] context, float[] logits, double tol,
                           RandomModels.Spec spec) {
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Float.compare(logits[y], logits[x]));
        int a = order[0];
        String textA = nameable(tok, types, a);
        if (textA == null) return 0; // the top token has no text of its own: greedy text checks it instead
        Set<String> seen = new HashSet<>(List.of(textA));
        double worst = 0;
        int probed = 0;
        for (int r = 1; r < 64 && probed < PROBED; r++) {
            int b = order[r];
            String textB = nameable(tok, types, b);
            if (textB == null || !seen.add(textB)) continue;
            double ours = (double) logits[a] - logits[b];
            double lo = ours - tol, hi = ours + tol;
            String where = spec.fileName() + " after " + context.length + " tokens, token " + b + " (rank " + r + ", our gap "
                    + ours + ")";
            assertEquals(textA, llama.next(context, Map.of(b, lo)), where + ": llama.cpp's gap is below ours - " + tol);
            assertEquals(textB, llama.next(context, Map.of(b, hi)), where + ": llama.cpp's gap is above ours + " + tol);
            for (int s = 0; s < STEPS; s++) {
                double mid = (lo + hi) / 2;
                String got = llama.next(context, Map.of(b, mid));
                if (got.equals(textA)) lo = mid;
                else if (got.equals(textB)) hi = mid;
                else fail(where + ": llama.cpp picked '" + got + "', neither A nor B");
            }
            worst = Math.max(worst, Math.abs((lo + hi) / 2 - ours));
            probed++;
        }
        assertTrue(probed > 0, spec.fileName() + ": no nameable runner-up token");
        return worst;
    }

    /** The token's text when llama.cpp prints it as exactly that (whole UTF-8, not a control token), else null. */
    static String nameable(Tokenizer tok, int[] types, int token) {
        if (types[token] == CONTROL || tok.isEndOfGeneration(token)) return null;
        byte[] b = tok.tokenBytes(token);
        if (b.length == 0) return null;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}

package dev.windowkv.engine.sampling;

import dev.windowkv.engine.UserError;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits. Temperature 0 is greedy (the lowest id wins a tie, as argmax
 * in llama.cpp); otherwise softmax at the temperature, then nucleus (top-p) sampling, drawn from a
 * seeded generator so a run repeats exactly.
 */
public final class Sampler {
    private final float temperature;
    private final float topP;
    private final SplittableRandom random;

    public Sampler(float temperature, float topP, long seed) {
        // Written so that NaN fails too: every comparison with NaN is false.
        if (!(temperature >= 0 && temperature < Float.POSITIVE_INFINITY)) {
            throw new UserError("--temperature must be a finite number ≥ 0, 0 for greedy (got " + temperature + ")");
        }
        if (!(topP > 0 && topP <= 1)) throw new UserError("--top-p must be in (0, 1] (got " + topP + ")");
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    public static Sampler greedy() {
        return new Sampler(0f, 1f, 0);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public int sample(float[] logits) {
        if (temperature == 0f) return argmax(logits);
        int n = logits.length;
        float max = logits[argmax(logits)];
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double cut = topP * sum;
        double acc = 0;
        int keep = 0;
        while (keep < n) {
            acc += p[order[keep++]];
            if (acc >= cut) break;
        }
        double r = random.nextDouble() * acc;
        double run = 0;
        for (int i = 0; i < keep; i++) {
            run += p[order[i]];
            if (r < run) return order[i];
        }
        return order[keep - 1];
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}

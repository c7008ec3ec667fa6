package dev.windowkv.experiments.training;

import dev.windowkv.engine.tokenizer.Tokenizer;
import dev.windowkv.experiments.tasks.Haystack;
import dev.windowkv.experiments.tasks.SampleSpec;
import dev.windowkv.experiments.tasks.Task;
import dev.windowkv.experiments.tasks.TaskSample;
import dev.windowkv.experiments.tasks.TaskSuite;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The trained model's training text: the task suite's own retrieval samples, each followed by its
 * answer, as token ids of the model's tokenizer. Held out of it by construction, so the evaluation
 * prompts are unseen: the haystack (training uses only {@link Haystack#NOISE}; the sweep's prose
 * never appears) and the needle phrasing ({@link TrainingPhrasing}); and the seeds, drawn from a
 * stream of their own (64-bit, as the sweep's are, so a shared seed has odds of about 10^-12, and
 * would still give another prompt through the haystack and the phrasing).
 *
 * <p>Files, for {@code experiments/training/train.py}: {@code tokens-L<length>.u16} (little-endian
 * uint16 ids, BOS first, samples back to back) and {@code index-L<length>.csv} (one row per sample:
 * offset and count of its tokens, where its answer starts, the task, the value span, the depth).
 */
public final class TrainingData {
    /** The retrieval tasks the held-out test asks for, and the word variant for variety. */
    static final List<String> TASKS = List.of("niah_single", "niah_single_word", "niah_multikey");
    /** One sample in this many keeps the task's own short value (no value span). */
    static final int SHORT_VALUE_ONE_IN = 8;

    private TrainingData() {
    }

    /** One training sample: its token ids (BOS, prompt, answer) and where the answer starts. */
    public record Sample(int[] tokens, int answerStart, String task, Integer valueSpan, double depth) {
    }

    /**
     * The {@code index}-th sample of a run seeded {@code seed} at {@code length} tokens. A held-out
     * sample is one the training never sees: the sweep's prose haystack, the suite's own phrasing,
     * and only the tasks the held-out test asks for.
     */
    public static Sample sample(Tokenizer tokenizer, long seed, int length, int index, boolean heldOut) {
        Random random = new Random(seed * 1_000_003L + length * 7919L + index);
        List<String> tasks = heldOut ? List.of("niah_single", "niah_multikey") : TASKS;
        Task task = TaskSuite.byName(tasks.get(random.nextInt(tasks.size())));
        Integer span = random.nextInt(SHORT_VALUE_ONE_IN) == 0 ? null : 1 + random.nextInt(32);
        double depth = random.nextDouble();
        long sampleSeed = random.nextLong();
        TaskSample s = task.generate(tokenizer, new SampleSpec(length, depth, sampleSeed,
                heldOut ? Haystack.PROSE : Haystack.NOISE, span));
        String prompt = heldOut ? s.prompt() : TrainingPhrasing.rephrase(s.prompt(), random);
        int[] context = tokenizer.encode(prompt, true, false);
        int[] full = tokenizer.encode(prompt + " " + String.join(" ", s.expected()) + ".", true, false);
        if (!Arrays.equals(context, Arrays.copyOf(full, context.length))) {
            throw new IllegalStateException("the answer merged with the prompt's last token: " + s.task() + " seed " + sampleSeed);
        }
        return new Sample(full, context.length, s.task(), s.valueSpan(), depth);
    }

    /** Writes {@code count} samples (held-out ones where {@code heldOut}) of {@code length} tokens into {@code dir}. */
    public static void write(Tokenizer tokenizer, long seed, int length, int count, boolean heldOut, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.txt"), tokenizer.vocabSize() + "\n");
            long offset = 0;
            // Written under temporary names and renamed when whole, so a training run that picks up
            // new lengths while it runs never reads half a file.
            Path tokensFile = dir.resolve("tokens-L" + length + ".u16");
            Path indexFile = dir.resolve("index-L" + length + ".csv");
            Path tokensTmp = dir.resolve(tokensFile.getFileName() + ".tmp");
            Path indexTmp = dir.resolve(indexFile.getFileName() + ".tmp");
            try (OutputStream tokens = new BufferedOutputStream(Files.newOutputStream(tokensTmp));
                 BufferedWriter index = Files.newBufferedWriter(indexTmp)) {
                index.write("offset,tokens,answer_start,task,value_span,depth\n");
                for (int i = 0; i < count; i++) {
                    Sample s = sample(tokenizer, seed, length, i, heldOut);
                    for (int t : s.tokens()) {
                        if (t < 0 || t > 0xFFFF) throw new IllegalStateException("token id " + t + " does not fit in 16 bits");
                        tokens.write(t & 0xFF);
                        tokens.write(t >>> 8);
                    }
                    index.write(String.format(Locale.ROOT, "%d,%d,%d,%s,%s,%.4f%n", offset, s.tokens().length,
                            s.answerStart(), s.task(), s.valueSpan() == null ? "" : s.valueSpan(), s.depth()));
                    offset += s.tokens().length;
                }
            }
            Files.move(indexTmp, indexFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(tokensTmp, tokensFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write training data to " + dir, e);
        }
    }
}

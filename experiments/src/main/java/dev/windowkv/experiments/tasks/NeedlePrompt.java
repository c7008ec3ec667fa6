package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.ToIntFunction;

/**
 * The prompt of the needle tasks: an intro line, the haystack with the needles inserted between its
 * sentences, and the question with its answer prefix, one per line, fitted to the target length.
 */
final class NeedlePrompt {
    /** A statement to hide, and where: a fraction of the haystack's own tokens (needles not counted). */
    record Needle(String text, double depth) {
    }

    private NeedlePrompt() {
    }

    static TaskSample sample(Task task, Tokenizer tokenizer, SampleSpec spec,
                             String intro, List<Needle> needles, String question, List<String> expected,
                             Integer valueSpan) {
        HaystackStream stream = new HaystackStream(spec.haystack(), spec.seed());
        Map<String, Integer> sentenceTokens = new HashMap<>();
        ToIntFunction<String> tokens = s -> sentenceTokens.computeIfAbsent(s, x -> tokenizer.encode(x).length);
        LengthFit.Fitted fitted = LengthFit.fit(task.name(), spec.targetTokens(), tokenizer,
                words -> intro + "\n" + withNeedles(stream.firstWords(words), needles, tokens) + "\n" + question);
        return new TaskSample(task.name(), TaskType.QA, fitted.prompt(), expected, spec.targetTokens(),
                fitted.tokens(), spec.depth(), spec.haystack(), spec.seed(), task.maxNewTokens(), valueSpan);
    }

    /**
     * Joins the sentences, inserting each needle at the sentence boundary whose token offset is
     * nearest its depth. Needles at the same boundary keep their order in the list.
     */
    static String withNeedles(List<String> sentences, List<Needle> needles, ToIntFunction<String> tokens) {
        // Sentence lengths are counted one by one, which for a merging tokenizer can differ from the
        // count in context by a token or so per sentence: close enough to choose a boundary.
        int[] offset = new int[sentences.size() + 1];
        for (int i = 0; i < sentences.size(); i++) {
            offset[i + 1] = offset[i] + tokens.applyAsInt(sentences.get(i));
        }
        List<List<String>> atBoundary = new ArrayList<>();
        for (int b = 0; b <= sentences.size(); b++) {
            atBoundary.add(new ArrayList<>());
        }
        for (Needle needle : needles) {
            atBoundary.get(nearestBoundary(offset, needle.depth() * offset[sentences.size()])).add(needle.text());
        }
        StringJoiner text = new StringJoiner(" ");
        for (int b = 0; b <= sentences.size(); b++) {
            atBoundary.get(b).forEach(text::add);
            if (b < sentences.size()) {
                text.add(sentences.get(b));
            }
        }
        return text.toString();
    }

    /** The index b minimising |offset[b] - position|, the earlier one on a tie. */
    static int nearestBoundary(int[] offset, double position) {
        int best = 0;
        for (int b = 1; b < offset.length; b++) {
            if (Math.abs(offset[b] - position) < Math.abs(offset[best] - position)) {
                best = b;
            }
        }
        return best;
    }
}

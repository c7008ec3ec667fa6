package dev.windowkv.experiments.classifier;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 sentence embeddings (384-d, mean-pooled, unit length), run in-process by
 * ONNX Runtime from the model bundled in langchain4j's Maven artifact; nothing is downloaded.
 *
 * <p>MiniLM reads at most 512 positions. As WindowKV does for its BERT classifier (first 256 +
 * last 256 ids, [CLS] and [SEP] included), a longer prompt is cut to the text of its first
 * {@value #HALF_TOKENS} and last {@value #HALF_TOKENS}−1 word pieces (one spare for the join), so
 * the embedding sees the instructions at both ends.
 */
public final class MiniLmEmbedder implements SentenceEmbedder {
    /** Word pieces kept from each end: 255 + [CLS] = 256 and 255 + [SEP] = 256. */
    public static final int HALF_TOKENS = 255;
    private static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";

    private final AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
    private final HuggingFaceTokenizer tokenizer;

    public MiniLmEmbedder() {
        try (InputStream json = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (json == null) {
                throw new IllegalStateException("all-MiniLM-L6-v2 tokenizer not found on the class path");
            }
            tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of("padding", "false", "truncation", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public float[] embed(String text) {
        return model.embed(headAndTail(text)).content().vector();
    }

    @Override
    public int dimension() {
        return 384;
    }

    /** The text itself when it fits in 2·{@value #HALF_TOKENS} word pieces, else the text of its two ends. */
    String headAndTail(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        CharSpan[] spans = encoding.getCharTokenSpans();
        int n = spans.length;
        if (n <= 2 * HALF_TOKENS) {
            return text;
        }
        int headEnd = spans[HALF_TOKENS - 1].getEnd();
        // One piece fewer at the tail leaves room for a piece the join might add.
        int tailStart = spans[n - HALF_TOKENS + 1].getStart();
        return text.substring(0, headEnd) + " " + text.substring(tailStart);
    }

    int countPieces(String text) {
        return tokenizer.encode(text, false, false).getIds().length;
    }
}

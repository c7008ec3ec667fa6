package dev.windowkv.engine.tokenizer;

/**
 * Text to token ids and back, as the model's GGUF metadata defines it ({@code tokenizer.ggml.*}).
 * Implementations must encode exactly as llama.cpp does for the same vocabulary.
 */
public interface Tokenizer {
    /** Encodes plain text: no BOS, special-token text is treated as ordinary text. */
    default int[] encode(String text) {
        return encode(text, false, false);
    }

    /**
     * @param addBos       prepend the BOS token when the vocabulary asks for it ({@code tokenizer.ggml.add_bos_token})
     * @param parseSpecial recognise special tokens written in the text, such as {@code <|eot_id|>}
     */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /** The bytes one token stands for (a byte-fallback or byte-level token may be part of a UTF-8 character). */
    byte[] tokenBytes(int token);

    /** Decodes a whole sequence, joining bytes before UTF-8 decoding so split characters come out whole. */
    String decode(int[] tokens);

    int vocabSize();

    /** -1 when the vocabulary has none. */
    int bos();

    /** -1 when the vocabulary has none. */
    int eos();

    /** True for tokens that end generation (EOS, EOT, im_end, ...). */
    boolean isEndOfGeneration(int token);

    /** The token's text as stored in the vocabulary (for debugging and tests). */
    String piece(int token);
}

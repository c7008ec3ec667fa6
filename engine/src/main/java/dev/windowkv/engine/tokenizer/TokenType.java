package dev.windowkv.engine.tokenizer;

/**
 * The token types of {@code tokenizer.ggml.token_type}, as GGUF numbers them (llama.cpp's
 * {@code LLAMA_TOKEN_TYPE_*}). A vocabulary without that key has only {@link #NORMAL} tokens.
 */
public final class TokenType {
    public static final int UNDEFINED = 0;
    public static final int NORMAL = 1;
    /** The vocabulary's {@code <unk>}. */
    public static final int UNKNOWN = 2;
    /** BOS, EOS, {@code <|eot_id|>}, {@code <|im_start|>}: recognised in text only with parseSpecial. */
    public static final int CONTROL = 3;
    /** Added tokens that are always split out of text before the BPE/SentencePiece step (llama.cpp does so). */
    public static final int USER_DEFINED = 4;
    public static final int UNUSED = 5;
    /** SentencePiece byte fallback, written {@code <0xXX>}. */
    public static final int BYTE = 6;

    private TokenType() {}
}

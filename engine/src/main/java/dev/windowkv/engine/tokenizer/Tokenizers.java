package dev.windowkv.engine.tokenizer;

import dev.windowkv.engine.gguf.GGUFException;
import dev.windowkv.engine.gguf.GGUFFile;

/** Builds the tokenizer a GGUF file describes ({@code tokenizer.ggml.*}), with llama.cpp's defaults. */
public final class Tokenizers {
    public static final String MODEL = "tokenizer.ggml.model";
    public static final String PRE = "tokenizer.ggml.pre";
    public static final String TOKENS = "tokenizer.ggml.tokens";
    public static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    public static final String SCORES = "tokenizer.ggml.scores";
    public static final String MERGES = "tokenizer.ggml.merges";
    public static final String BOS_ID = "tokenizer.ggml.bos_token_id";
    public static final String EOS_ID = "tokenizer.ggml.eos_token_id";
    public static final String EOT_ID = "tokenizer.ggml.eot_token_id";
    public static final String EOM_ID = "tokenizer.ggml.eom_token_id";
    public static final String UNK_ID = "tokenizer.ggml.unknown_token_id";
    public static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    public static final String ADD_EOS = "tokenizer.ggml.add_eos_token";
    public static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";

    private Tokenizers() {}

    public static VocabularyTokenizer load(GGUFFile gguf) {
        String model = gguf.getString(MODEL, "");
        String where = gguf.path() == null ? "" : gguf.path().getFileName() + ": ";
        if (!model.equals("gpt2") && !model.equals("llama")) {
            throw new UnsupportedTokenizerError(where + "tokenizer model '" + GGUFException.printable(model) + "' (" + MODEL
                    + ") is not supported; use a model with a 'gpt2' (byte-level BPE) or 'llama' (SentencePiece) vocabulary");
        }
        String[] texts = gguf.getStringArray(TOKENS);
        int[] types = gguf.has(TOKEN_TYPE) ? gguf.getIntArray(TOKEN_TYPE) : null;
        float[] scores = gguf.has(SCORES) ? gguf.getFloatArray(SCORES) : null;
        if (texts.length == 0) throw new GGUFException(where + TOKENS + " is empty (corrupt vocabulary)");
        // one entry per token, or the tokenizer would index past them
        if (types != null && types.length != texts.length) {
            throw new GGUFException(where + TOKEN_TYPE + " has " + types.length + " entries for " + texts.length
                    + " tokens (corrupt vocabulary)");
        }
        for (int i = 0; types != null && i < types.length; i++) {
            if (types[i] == TokenType.BYTE && !texts[i].matches("<0x[0-9A-Fa-f]{2}>")) {
                throw new GGUFException(where + "token " + i +  " is a byte token but its text is not <0xHH> (corrupt vocabulary)");
            }
        }
        if (scores != null && scores.length != texts.length) {
            throw new GGUFException(where + SCORES + " has " + scores.length + " entries for " + texts.length
                    + " tokens (corrupt vocabulary)");
        }
        Vocabulary vocab = new Vocabulary(texts, types, scores);

        VocabularyTokenizer tokenizer;
        if (model.equals("llama")) {
            vocab.bos = 1;
            vocab.eos = 2;
            vocab.unk = 0;
            vocab.addBos = true;
            vocab.addSpacePrefix = true;
            vocab.cleanSpaces = false;
            tokenizer = new SentencePieceTokenizer(vocab);
        } else {
            String pre = gguf.getString(PRE, "default");
            PreTokenizer preTokenizer = PreTokenizer.forName(pre);
            if (preTokenizer == null) {
                // not one llama.cpp splits with these regexes: GPT-2's split is the common ancestor,
                // close but not guaranteed to match llama.cpp token for token
                preTokenizer = PreTokenizer.GPT2;
            }
            if (!gguf.has(MERGES)) {
                throw new UnsupportedTokenizerError(where + "a 'gpt2' vocabulary without " + MERGES + " is not supported");
            }
            vocab.bos = 11;
            vocab.eos = 11;
            vocab.addBos = preTokenizer == PreTokenizer.LLAMA3;
            vocab.cleanSpaces = preTokenizer != PreTokenizer.QWEN2;
            tokenizer = new BytePairTokenizer(vocab, gguf.getStringArray(MERGES), preTokenizer,
                    preTokenizer == PreTokenizer.LLAMA3);
        }
        vocab.addSpacePrefix = gguf.getBool(ADD_SPACE_PREFIX, vocab.addSpacePrefix);
        vocab.bos = specialId(gguf, vocab, BOS_ID, vocab.bos);
        vocab.eos = specialId(gguf, vocab, EOS_ID, vocab.eos);
        vocab.unk = specialId(gguf, vocab, UNK_ID, vocab.unk);
        int eom = specialId(gguf, vocab, EOM_ID, -1);
        vocab.eot = specialId(gguf, vocab, EOT_ID, -1);
        if (vocab.eot < 0) {
            for (String text : Vocabulary.END_OF_TURN_TEXTS) {
                if (vocab.id(text) >= 0) {
                    vocab.eot = vocab.id(text);
                    break;
                }
            }
        }
        vocab.addBos = gguf.getBool(ADD_BOS, vocab.addBos);
        vocab.addEos = gguf.getBool(ADD_EOS, vocab.addEos);
        vocab.markEndOfGeneration(vocab.eos, vocab.eot, eom);
        return tokenizer;
    }

    /** The id under {@code key}, or the default; ids outside the vocabulary are ignored, as llama.cpp does. */
    private static int specialId(GGUFFile gguf, Vocabulary vocab, String key, int fallback) {
        int id = fallback;
        if (!vocab.valid(id)) id = -1;
        if (gguf.has(key)) {
            int value = gguf.getInt(key);
            if (vocab.valid(value)) id = value;
        }
        return id;
    }
}

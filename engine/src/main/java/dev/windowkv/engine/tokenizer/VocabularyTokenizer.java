package dev.windowkv.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What both tokenizer kinds share: BOS/EOS, splitting special tokens out of the text, and decoding
 * through per-token byte pieces, all as llama.cpp's llama_vocab does.
 */
public abstract sealed class VocabularyTokenizer implements Tokenizer permits BytePairTokenizer, SentencePieceTokenizer {
    final Vocabulary vocab;
    /** Each token's bytes, special tokens as their text (llama.cpp's token_to_piece with special = true). */
    private final byte[][] pieces;

    VocabularyTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.pieces = new byte[vocab.size()][];
    }

    /** The bytes of a NORMAL token (BYTE, CONTROL, USER_DEFINED and UNKNOWN are handled here). */
    abstract byte[] normalPiece(String text);

    /**
     * Tokenizes one run of text between special tokens.
     *
     * @param afterSpecial true at the start of the input and right after a special token
     */
    abstract void encodeText(String text, boolean afterSpecial, IntList out);

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addBos && vocab.addBos && vocab.bos >= 0) out.add(vocab.bos);
        boolean afterSpecial = true;
        for (Vocabulary.Fragment fragment : vocab.partition(text, parseSpecial)) {
            switch (fragment) {
                case Vocabulary.Text(String raw) -> {
                    encodeText(raw, afterSpecial, out);
                    afterSpecial = false;
                }
                case Vocabulary.Special(int token) -> {
                    out.add(token);
                    afterSpecial = true;
                }
            }
        }
        if (addBos && vocab.addEos && vocab.eos >= 0) out.add(vocab.eos);
        return out.toArray();
    }

    @Override
    public byte[] tokenBytes(int token) {
        if (!vocab.valid(token)) throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + vocab.size());
        byte[] piece = pieces[token];
        if (piece == null) {
            String text = vocab.texts[token];
            piece = switch (vocab.types[token]) {
                case TokenType.CONTROL, TokenType.USER_DEFINED, TokenType.UNKNOWN -> text.getBytes(StandardCharsets.UTF_8);
                case TokenType.NORMAL -> normalPiece(text);
                case TokenType.BYTE -> new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
                default -> new byte[0]; // UNUSED and UNDEFINED tokens print nothing
            };
            pieces[token] = piece;
        }
        return piece;
    }

    /**
     * Joins the tokens' bytes and decodes them as UTF-8, as llama.cpp's detokenize with special tokens
     * shown: drops the space SentencePiece put before the first word, and for most BPE vocabularies
     * tidies spaces before punctuation and contractions.
     */
    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tokens.length * 4);
        boolean removeSpace = vocab.addSpacePrefix;
        for (int token : tokens) {
            byte[] piece = tokenBytes(token);
            int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            out.write(piece, skip, piece.length - skip);
            removeSpace = false;
        }
        byte[] bytes = out.toByteArray();
        if (vocab.cleanSpaces) bytes = cleanSpaces(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** llama.cpp's three clean-up passes: " ?" " !" " ." " ," lose their space; " ' " loses both; " 's" " 'm" " 're" " 've" lose it. */
    static byte[] cleanSpaces(byte[] text) {
        int total = text.length;
        // " ?", " !", " .", " ,"
        int n = total;
        total = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) total--;
            text[total++] = x;
        }
        // a lone apostrophe between spaces
        n = total;
        total = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) {
            byte x = text[i];
            if (x == '\'' && i + 1 < n && text[i - 1] == ' ' && text[i + 1] == ' ') {
                total--;
                text[++i] = 0;
            }
            text[total++] = x;
        }
        // contractions
        n = total;
        total = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < n) {
                byte x1 = text[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (x1 != 't' && x1 != 'd' && i + 2 < n) {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) total--;
                }
            }
            text[total++] = x;
        }
        return Arrays.copyOf(text, total);
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bos() {
        return vocab.bos;
    }

    @Override
    public int eos() {
        return vocab.eos;
    }

    /** The end-of-turn token ({@code <|eot_id|>}, {@code <|im_end|>}), or -1. */
    public int eot() {
        return vocab.eot;
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return vocab.valid(token) && vocab.endOfGeneration[token];
    }

    @Override
    public String piece(int token) {
        return vocab.texts[token];
    }

    /** The id of a token written exactly as in the vocabulary, or -1. */
    public int tokenId(String text) {
        return vocab.id(text);
    }

    /** A growable int array, to avoid boxing ids. */
    static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) {
            a = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        void addAll(int[] vs) {
            if (n + vs.length > a.length) a = Arrays.copyOf(a, Math.max(n * 2, n + vs.length));
            System.arraycopy(vs, 0, a, n, vs.length);
            n += vs.length;
        }

        int size() {
            return n;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}

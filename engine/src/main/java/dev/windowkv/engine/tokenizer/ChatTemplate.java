package dev.windowkv.engine.tokenizer;

import dev.windowkv.engine.gguf.GGUFFile;
import java.util.List;

/**
 * The chat formats of the instruction-tuned models we run, rendered as llama.cpp's built-in templates
 * (llama-chat.cpp) render them. The rendered text is meant for
 * {@code tokenizer.encode(text, true, true)}: BOS comes from the tokenizer, and the markers are
 * special tokens.
 */
public enum ChatTemplate {
    /** {@code <|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>}, content trimmed. */
    LLAMA3,
    /** {@code <|im_start|>role\ncontent<|im_end|>\n} (Qwen 2 and most fine-tunes). */
    CHATML;

    public static final String TEMPLATE_KEY = "tokenizer.chat_template";
    public static final String ARCHITECTURE_KEY = "general.architecture";

    public record Message(String role, String content) {
        public static Message system(String content) { return new Message("system", content); }
        public static Message user(String content) { return new Message("user", content); }
        public static Message assistant(String content) { return new Message("assistant", content); }
    }

    /**
     * @param addGenerationPrompt end with the header of an assistant turn, for the model to write
     */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            switch (this) {
                case LLAMA3 -> sb.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
                        .append(trim(m.content())).append("<|eot_id|>");
                case CHATML -> sb.append("<|im_start|>").append(m.role()).append('\n')
                        .append(m.content()).append("<|im_end|>\n");
            }
        }
        if (addGenerationPrompt) {
            sb.append(switch (this) {
                case LLAMA3 -> "<|start_header_id|>assistant<|end_header_id|>\n\n";
                case CHATML -> "<|im_start|>assistant\n";
            });
        }
        return sb.toString();
    }

    /** Renders and tokenizes: BOS as the vocabulary asks, markers as special tokens. */
    public int[] encode(Tokenizer tokenizer, List<Message> messages, boolean addGenerationPrompt) {
        return tokenizer.encode(render(messages, addGenerationPrompt), true, true);
    }

    /**
     * The template of a model: recognised in its {@code tokenizer.chat_template} text as llama.cpp does
     * (ChatML's markers checked first), else guessed from {@code general.architecture}.
     */
    public static ChatTemplate of(GGUFFile gguf) {
        String template = gguf.getString(TEMPLATE_KEY, "");
        if (template.contains("<|im_start|>")) return CHATML;
        if (template.contains("<|start_header_id|>") && template.contains("<|end_header_id|>")) return LLAMA3;
        String arch = gguf.getString(ARCHITECTURE_KEY, "");
        if (template.isEmpty()) {
            if (arch.startsWith("qwen")) return CHATML;
            if (arch.equals("llama") && hasToken(gguf, "<|start_header_id|>")) return LLAMA3;
        }
        String file = gguf.path() == null ? "" : gguf.path().getFileName() + ": ";
        throw new UnsupportedTokenizerError(file + (template.isEmpty()
                ? "no " + TEMPLATE_KEY + " and architecture '" + arch + "' has no known chat format"
                : "the chat template is neither Llama 3 nor ChatML")
                + "; use a Llama 3 or Qwen (ChatML) instruct model, or prompt without a chat template");
    }

    private static boolean hasToken(GGUFFile gguf, String text) {
        if (!gguf.has(Tokenizers.TOKENS)) return false;
        for (String t : gguf.getStringArray(Tokenizers.TOKENS)) if (t.equals(text)) return true;
        return false;
    }

    /** C's isspace trim, as llama.cpp's: ASCII whitespace only. */
    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) start++;
        while (end > start && isSpace(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}

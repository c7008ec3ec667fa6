package dev.windowkv.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.gguf.GGUFWriter;
import dev.windowkv.engine.testutil.LlamaCppSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
    static final List<ChatTemplate.Message> CHAT = List.of(
            ChatTemplate.Message.system("Be brief."),
            ChatTemplate.Message.user("  Hi  "));

    @Test
    void llama3RendersHeadersAndTrimsContent() {
        assertEquals("<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                ChatTemplate.LLAMA3.render(CHAT, true));
        assertEquals("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
                ChatTemplate.LLAMA3.render(List.of(ChatTemplate.Message.user("Hi")), false));
    }

    @Test
    void chatMlRendersImStartBlocksAndKeepsContentAsIs() {
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n"
                        + "<|im_start|>user\n  Hi  <|im_end|>\n"
                        + "<|im_start|>assistant\n",
                ChatTemplate.CHATML.render(CHAT, true));
    }

    @Test
    void llama3ConversationTokenizesToSpecialTokensWithBos() {
        int[] ids = ChatTemplate.LLAMA3.encode(TokenizerTest.LLAMA3, List.of(ChatTemplate.Message.user("Hi")), true);
        // <|begin_of_text|> <|start_header_id|> user <|end_header_id|> \n\n Hi <|eot_id|>
        // <|start_header_id|> assistant <|end_header_id|> \n\n
        assertArrayEquals(new int[] {128000, 128006, 882, 128007, 271, 13347, 128009, 128006, 78191, 128007, 271}, ids);
    }

    @Test
    void chatMlConversationTokenizesToSpecialTokens() {
        int[] ids = ChatTemplate.CHATML.encode(TokenizerTest.QWEN2, List.of(ChatTemplate.Message.user("Hi")), true);
        // <|im_start|> user \n Hi <|im_end|> \n <|im_start|> assistant \n
        assertArrayEquals(new int[] {151644, 872, 198, 13048, 151645, 198, 151644, 77091, 198}, ids);
    }

    @Test
    void chosenFromTheModelFile() {
        try (GGUFFile qwen = GGUFFile.open(LlamaCppSource.vocab("qwen2"));
             GGUFFile llama3 = GGUFFile.open(LlamaCppSource.vocab("llama-bpe"))) {
            assertEquals(ChatTemplate.CHATML, ChatTemplate.of(qwen));   // from its tokenizer.chat_template
            assertEquals(ChatTemplate.LLAMA3, ChatTemplate.of(llama3)); // no template: architecture llama + header tokens
        }
    }

    @Test
    void chosenFromTemplateText(@TempDir Path dir) {
        Path file = dir.resolve("t.gguf");
        new GGUFWriter().putString("general.architecture", "mistral")
                .putString(ChatTemplate.TEMPLATE_KEY,
                        "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}")
                .write(file);
        try (GGUFFile gguf = GGUFFile.open(file)) {
            assertEquals(ChatTemplate.LLAMA3, ChatTemplate.of(gguf));
        }
    }

    @Test
    void unknownTemplateIsAUserError(@TempDir Path dir) {
        Path file = dir.resolve("t.gguf");
        new GGUFWriter().putString("general.architecture", "gemma").write(file);
        try (GGUFFile gguf = GGUFFile.open(file)) {
            var e = assertThrows(UnsupportedTokenizerError.class, () -> ChatTemplate.of(gguf));
            assertTrue(e.getMessage().contains("'gemma'"), e.getMessage());
        }
    }
}

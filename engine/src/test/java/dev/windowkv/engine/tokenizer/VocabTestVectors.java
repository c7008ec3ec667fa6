package dev.windowkv.engine.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's tokenizer test vectors ({@code ggml-vocab-*.gguf.inp} / {@code .out}), read as its
 * tests/test-tokenizer-0.cpp reads them: inputs separated by {@code "\n__ggml_vocab_test__\n"}, one
 * line of space-separated ids per input. They were made with add_special = false, parse_special = false.
 */
record VocabTestVectors(List<Case> cases) {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    record Case(int index, String text, int[] ids) {
        /** The input with control characters escaped, for test names and messages. */
        String shown() {
            StringBuilder sb = new StringBuilder();
            text.codePoints().limit(60).forEach(c -> {
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.appendCodePoint(c);
                }
            });
            return "#" + index + " '" + sb + (text.codePointCount(0, text.length()) > 60 ? "…" : "") + "'";
        }
    }

    static VocabTestVectors read(Path gguf) throws IOException {
        String inp = Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8);
        List<String> outLines = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>();
        int pos = 0;
        while (pos < inp.length()) {
            int next = inp.indexOf(SEPARATOR, pos);
            if (next < 0) {
                inputs.add(inp.substring(pos));
                break;
            }
            inputs.add(inp.substring(pos, next));
            pos = next + SEPARATOR.length();
        }
        if (inputs.size() != outLines.size()) {
            throw new IllegalStateException(gguf + ": " + inputs.size() + " inputs but " + outLines.size() + " outputs");
        }
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String line = outLines.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0]
                    : java.util.Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(i, inputs.get(i), ids));
        }
        return new VocabTestVectors(cases);
    }
}

package dev.windowkv.experiments.longbench;

import java.util.Map;

/**
 * A LongBench prompt template ({@code dataset2prompt.json}) with {@code {context}} and
 * {@code {input}} fields, filled as Python's {@code str.format} does: in one pass, so braces
 * inside the filled-in text are left alone.
 */
public record PromptTemplate(String text) {

    public String render(LongBenchSample sample) {
        return render(sample.context(), sample.input());
    }

    public String render(String context, String input) {
        return fill(Map.of("context", context, "input", input));
    }

    private String fill(Map<String, String> fields) {
        StringBuilder out = new StringBuilder(text.length() + fields.values().stream().mapToInt(String::length).sum());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{') {
                int close = text.indexOf('}', i);
                String value = close < 0 ? null : fields.get(text.substring(i + 1, close));
                if (value == null) {
                    throw new IllegalStateException("template field at " + i + " is not {context} or {input}: " + text);
                }
                out.append(value);
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}

package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.UserError;

/** {@code --shard i/N}: this process runs the cells whose index is i modulo N (1 ≤ i ≤ N). */
public record Shard(int index, int count) {
    public static final Shard ALL = new Shard(1, 1);

    public static Shard parse(String s) {
        if (s == null) return ALL;
        String[] parts = s.split("/");
        try {
            if (parts.length == 2) {
                int i = Integer.parseInt(parts[0].trim());
                int n = Integer.parseInt(parts[1].trim());
                if (n >= 1 && i >= 1 && i <= n) return new Shard(i, n);
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message
        }
        throw new UserError("--shard takes i/N with 1 ≤ i ≤ N, e.g. --shard 2/8 (got '" + s + "')");
    }

    public boolean owns(int cellIndex) {
        return cellIndex % count == index - 1;
    }

    /** File-name suffix for this shard's results ("" when unsharded). */
    public String suffix() {
        return count == 1 ? "" : ".shard" + index + "of" + count;
    }
}

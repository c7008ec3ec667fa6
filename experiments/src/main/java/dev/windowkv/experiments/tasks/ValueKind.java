package dev.windowkv.experiments.tasks;

import java.util.List;
import java.util.Random;

/**
 * The shapes a needle value takes when a sample asks for a value span: RULER hides numbers, words and
 * UUIDs; long values are what tell token-level from window-level KV selection apart, since every
 * token of the value must survive for the answer to be whole.
 */
enum ValueKind {
    /** One long number, {@code 482093551…}. */
    NUMBER("", 3, true),
    /** Groups of four digits, {@code 4821 0937 5510}. */
    MULTI_PART_NUMBER(" ", 4, true),
    /** Words of the value list, {@code banjo walnut ember}. */
    WORDS(" ", 1, false),
    /** Hex groups of a UUID's 8-4-4-4-12 shape, repeated as needed: {@code 3f2a9c1e-7b4d-41aa-…}. */
    UUID("-", 8, true);

    private static final int[] UUID_GROUPS = {8, 4, 4, 4, 12};
    private static final String HEX = "0123456789abcdef";

    /** Joins the parts. */
    final String separator;
    private final int partSize;
    /** Whether the last part may be cut short to hit the span (not a word: it would no longer be one). */
    final boolean cuttable;

    ValueKind(String separator, int partSize, boolean cuttable) {
        this.separator = separator;
        this.partSize = partSize;
        this.cuttable = cuttable;
    }

    /**
     * The {@code index}-th part at full size. A number never starts with 0; a word is one of the value
     * words that neither contains nor is contained in a word already in the value (scoring is a
     * substring match).
     */
    String part(Random random, int index, List<String> partsSoFar) {
        return switch (this) {
            case NUMBER, MULTI_PART_NUMBER -> digits(random, partSize, index == 0);
            case UUID -> hex(random, UUID_GROUPS[index % UUID_GROUPS.length]);
            case WORDS -> {
                List<String> free = Lexicon.valueWords().stream()
                        .filter(w -> partsSoFar.stream().noneMatch(p -> p.contains(w) || w.contains(p)))
                        .toList();
                yield free.isEmpty() ? null : free.get(random.nextInt(free.size()));
            }
        };
    }

    private static String digits(Random random, int length, boolean leading) {
        StringBuilder s = new StringBuilder(length);
        s.append((char) ((leading ? '1' : '0') + random.nextInt(leading ? 9 : 10)));
        for (int i = 1; i < length; i++) {
            s.append((char) ('0' + random.nextInt(10)));
        }
        return s.toString();
    }

    private static String hex(Random random, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(HEX.charAt(random.nextInt(HEX.length())));
        }
        return s.toString();
    }
}

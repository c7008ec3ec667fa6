package dev.windowkv.experiments.classifier;

import dev.windowkv.experiments.longbench.LongBenchDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Generated, labelled prompts for training the task classifier: each LongBench English dataset's
 * real template filled with a made-up context and question of the dataset's shape, plus prompts of
 * the synthetic tasks (needle retrieval, variable tracking, common/frequent words). Labels come
 * from {@link OracleTaskClassifier}. No real LongBench text is used, so the classifier learns the
 * instructions and the shape of the question, which is what it can see at test time too.
 */
public final class ClassifierTrainingPrompts {
    /**
     * The synthetic tasks the shipped head was trained on, in the order it saw them; fixed here so
     * the shipped weights stay reproducible when the suite grows (niah_single_word is labelled by
     * the oracle but was never part of the training set).
     */
    static final java.util.List<String> SYNTHETIC_TASKS =
            java.util.List.of("cwe", "fwe", "niah_multikey", "niah_multiquery", "niah_multivalue", "niah_single", "vt");

    private static final String[] NAMES = {"Mary", "John", "Aisha", "Kenji", "Lucia", "Tom", "Priya", "Omar", "Elena", "Victor", "Grace", "Hugo"};
    private static final String[] PLACES = {"the harbour", "Lisbon", "the old mill", "Kyoto", "the village school", "Nairobi", "the castle", "the river bank", "Oslo", "the market"};
    private static final String[] NOUNS = {"letter", "ship", "garden", "treaty", "experiment", "engine", "painting", "contract", "festival", "bridge", "dataset", "budget", "vaccine", "railway", "election"};
    private static final String[] VERBS = {"found", "built", "sold", "described", "studied", "repaired", "announced", "rejected", "measured", "signed", "painted", "funded"};
    private static final String[] ADJECTIVES = {"old", "new", "secret", "large", "fragile", "famous", "broken", "public", "annual", "remote"};
    private static final String[] TOPICS = {"the new budget", "the product design", "remote control buttons", "the school curriculum", "water quality", "the marketing plan", "energy prices", "staff training"};
    private static final String[] TREC_TYPES = {"Abbreviation", "Entity", "Description", "Human", "Location", "Numeric value", "Date", "Definition", "Manner", "Reason"};

    private final Random random;

    public ClassifierTrainingPrompts(long seed) {
        this.random = new Random(seed);
    }

    /** {@code perTask} prompts for every LongBench English dataset and every synthetic task, in a fixed order. */
    public List<LabelledPrompt> generate(int perTask) {
        List<LabelledPrompt> out = new ArrayList<>();
        for (String dataset : LongBenchDataset.ENGLISH) {
            for (int i = 0; i < perTask; i++) {
                String[] contextAndInput = longBench(dataset);
                String prompt = LongBenchDataset.named(dataset).prompt().render(contextAndInput[0], contextAndInput[1]);
                out.add(new LabelledPrompt(dataset, prompt, OracleTaskClassifier.label(dataset)));
            }
        }
        for (String task : SYNTHETIC_TASKS) {
            for (int i = 0; i < perTask; i++) {
                out.add(new LabelledPrompt(task, synthetic(task), OracleTaskClassifier.label(task)));
            }
        }
        return out;
    }

    // ---- LongBench-shaped contexts and inputs: {context, input} ----

    private String[] longBench(String dataset) {
        return switch (dataset) {
            case "narrativeqa" -> new String[] {story(), question()};
            case "qasper" -> new String[] {article(), pick("What dataset do they use?", "Which baselines do they compare to?", "How big is the corpus?", "Do they evaluate on " + pick(NOUNS) + "s?", "What metric is reported?")};
            case "multifieldqa_en" -> new String[] {prose(sentences(8, 30)), question()};
            case "hotpotqa", "2wikimqa", "musique" -> new String[] {passages(), multiHopQuestion()};
            case "gov_report" -> new String[] {report(), ""};
            case "qmsum" -> new String[] {transcript(), pick("Summarize the discussion about " + pick(TOPICS) + ".", "What did " + pick(NAMES) + " think about " + pick(TOPICS) + "?", "Summarize the whole meeting.", "Why did the group reject " + pick(TOPICS) + "?")};
            case "multi_news" -> new String[] {news(), ""};
            case "trec" -> new String[] {examples(3, 12, i -> "Question: " + question() + "\nType: " + pick(TREC_TYPES) + "\n"), "Question: " + question() + "\nType:"};
            case "triviaqa" -> new String[] {examples(2, 5, i -> "Passage: " + prose(sentences(3, 8)) + "\nQuestion: " + question() + "\nAnswer: " + pick(NAMES) + "\n\n"), "Passage: " + prose(sentences(3, 8)) + "\nQuestion: " + question() + "\nAnswer:"};
            case "samsum" -> new String[] {examples(2, 6, i -> "Dialogue: " + dialogue() + "\nSummary: " + sentence() + "\n\n"), "Dialogue: " + dialogue() + "\nSummary: "};
            case "passage_count" -> new String[] {paragraphs(), ""};
            case "passage_retrieval_en" -> new String[] {paragraphs(), prose(sentences(2, 4))};
            case "lcc" -> new String[] {code(), ""};
            case "repobench-p" -> new String[] {"# Path: " + identifier() + "/" + identifier() + ".py\n" + code(), code()};
            default -> throw new IllegalArgumentException(dataset);
        };
    }

    private String story() {
        StringBuilder s = new StringBuilder();
        int chapters = between(2, 5);
        for (int c = 1; c <= chapters; c++) {
            s.append("CHAPTER ").append(c).append("\n\n").append(prose(sentences(6, 20))).append("\n\n");
            s.append('"').append(sentence()).append("\" said ").append(pick(NAMES)).append(".\n\n");
        }
        return s.toString();
    }

    private String article() {
        return "Introduction\n" + prose(sentences(4, 10)) + "\nMethod\nWe propose a model that " + pick(VERBS) + " the " + pick(NOUNS) + ". "
                + prose(sentences(4, 10)) + "\nExperiments\nWe evaluate on the " + capital(identifier()) + " dataset. " + prose(sentences(4, 10))
                + "\nConclusion\n" + prose(sentences(2, 5));
    }

    private String passages() {
        StringBuilder s = new StringBuilder();
        int n = between(3, 10);
        for (int i = 1; i <= n; i++) {
            s.append("Passage ").append(i).append(":\n").append(capital(pick(NOUNS))).append(" of ").append(pick(PLACES)).append('\n')
                    .append(prose(sentences(2, 6))).append("\n\n");
        }
        return s.toString();
    }

    private String report() {
        return "GAO found that " + prose(sentences(4, 10)) + "\n\nBackground\n" + prose(sentences(6, 20)) + "\n\nWhat GAO Recommends\n" + prose(sentences(2, 6));
    }

    private String transcript() {
        StringBuilder s = new StringBuilder();
        int turns = between(8, 30);
        for (int i = 0; i < turns; i++) {
            s.append(pick("Project Manager", "Marketing", "Industrial Designer", "User Interface", pick(NAMES))).append(": ")
                    .append(pick("Um ", "Okay, ", "Yeah, ", "So ", "")).append(sentence()).append('\n');
        }
        return s.toString();
    }

    private String news() {
        StringBuilder s = new StringBuilder();
        int n = between(2, 4);
        for (int i = 0; i < n; i++) {
            s.append(capital(pick(PLACES).replace("the ", ""))).append(" (AP) — ").append(prose(sentences(5, 15))).append("\n Passage ").append(i + 1).append(" ends.\n");
        }
        return s.toString();
    }

    private String dialogue() {
        StringBuilder s = new StringBuilder();
        String a = pick(NAMES);
        String b = pick(NAMES);
        int turns = between(2, 6);
        for (int i = 0; i < turns; i++) {
            s.append(i % 2 == 0 ? a : b).append(": ").append(pick(sentence(), "ok", "See you at " + between(1, 12) + "!", "Sure :)")).append('\n');
        }
        return s.toString();
    }

    private String paragraphs() {
        StringBuilder s = new StringBuilder();
        int n = between(5, 30);
        for (int i = 1; i <= n; i++) {
            s.append("Paragraph ").append(i).append(": ").append(prose(sentences(2, 5))).append("\n\n");
        }
        return s.toString();
    }

    private String code() {
        StringBuilder s = new StringBuilder();
        int functions = between(2, 6);
        for (int f = 0; f < functions; f++) {
            String name = identifier();
            s.append("def ").append(name).append("(self, ").append(identifier()).append("):\n");
            int lines = between(2, 8);
            for (int l = 0; l < lines; l++) {
                s.append("    ").append(pick(
                        identifier() + " = self." + identifier() + "(" + between(0, 99) + ")",
                        "if " + identifier() + " is None:",
                        "return " + identifier(),
                        "for " + identifier() + " in range(" + between(1, 9) + "):",
                        "self." + identifier() + ".append(" + identifier() + ")")).append('\n');
            }
            s.append('\n');
        }
        return s.toString();
    }

    private String question() {
        return pick(
                "Who " + pick(VERBS) + " the " + pick(NOUNS) + "?",
                "Where did " + pick(NAMES) + " find the " + pick(NOUNS) + "?",
                "Why did " + pick(NAMES) + " go to " + pick(PLACES) + "?",
                "When was the " + pick(ADJECTIVES) + " " + pick(NOUNS) + " " + pick(VERBS) + "?",
                "What is the name of " + pick(NAMES) + "'s " + pick(NOUNS) + "?",
                "How many " + pick(NOUNS) + "s did " + pick(NAMES) + " " + pick("see", "keep", "lose") + "?");
    }

    private String multiHopQuestion() {
        return pick(
                "Who is the spouse of the director of the film " + capital(pick(NOUNS)) + " of " + pick(PLACES) + "?",
                "Which " + pick(NOUNS) + " was " + pick(VERBS) + " first, " + capital(pick(NOUNS)) + " or " + capital(pick(NOUNS)) + "?",
                "Are " + pick(NAMES) + " and " + pick(NAMES) + " of the same nationality?",
                "In what country is the " + pick(NOUNS) + " that " + pick(NAMES) + " " + pick(VERBS) + "?",
                question());
    }

    // ---- synthetic tasks (our own wording of the RULER-style tasks) ----

    private String synthetic(String task) {
        String key = identifier() + "-" + identifier();
        return switch (task) {
            case "niah_single", "niah_multikey" ->
                    "Some special magic numbers are hidden within the following text. Make sure to memorize it. I will quiz you about the numbers afterwards.\n"
                            + haystackWithNeedles(key, task.equals("niah_single") ? 1 : between(2, 4))
                            + "\nWhat is the special magic number for " + key + " mentioned in the provided text? The special magic number for " + key + " mentioned in the provided text is";
            case "niah_multivalue" ->
                    "Some special magic numbers are hidden within the following text. Make sure to memorize it. I will quiz you about the numbers afterwards.\n"
                            + haystackWithNeedles(key, between(2, 4))
                            + "\nWhat are all the special magic numbers for " + key + " mentioned in the provided text? The special magic numbers for " + key + " mentioned in the provided text are";
            case "niah_multiquery" -> {
                String key2 = identifier() + "-" + identifier();
                yield "Some special magic numbers are hidden within the following text. Make sure to memorize it. I will quiz you about the numbers afterwards.\n"
                        + haystackWithNeedles(key, 2)
                        + "\nWhat are all the special magic numbers for " + key + " and " + key2 + " mentioned in the provided text? The special magic numbers for " + key + " and " + key2 + " mentioned in the provided text are";
            }
            case "vt" -> {
                String value = Integer.toString(between(10000, 99999));
                StringBuilder s = new StringBuilder("Memorize and track the chain(s) of variable assignment hidden in the following text.\n\n");
                String variable = identifier().toUpperCase();
                s.append(prose(sentences(3, 10))).append(" VAR ").append(variable).append(" = ").append(value).append(". ");
                int hops = between(2, 5);
                for (int h = 0; h < hops; h++) {
                    String next = identifier().toUpperCase();
                    s.append(prose(sentences(1, 6))).append(" VAR ").append(next).append(" = VAR ").append(variable).append(". ");
                    variable = next;
                }
                s.append("\nQuestion: Find all variables that are assigned the value ").append(value)
                        .append(" in the text above. Answer: According to the chain(s) of variable assignment in the text above, ")
                        .append(pick("5", "4", "3")).append(" variables are assigned the value ").append(value).append(", they are: ");
                yield s.toString();
            }
            case "cwe" -> {
                StringBuilder s = new StringBuilder("Below is a numbered list of words. In these words, some appear more often than others. Memorize the ones that appear most often.\n");
                int n = between(40, 300);
                for (int i = 1; i <= n; i++) {
                    s.append(i).append(". ").append(identifier()).append(' ');
                }
                s.append("\nQuestion: What are the 10 most common words in the above list? Answer: The top 10 words that appear most often in the list are:");
                yield s.toString();
            }
            case "fwe" -> {
                StringBuilder s = new StringBuilder("Read the following coded text and track the frequency of each coded word. Find the three most frequently appeared coded words. ");
                int n = between(60, 400);
                for (int i = 0; i < n; i++) {
                    s.append(random.nextInt(4) == 0 ? ".... " : identifier() + " ");
                }
                s.append("\nQuestion: Do not provide any explanation. Please ignore the dots '....'. What are the three most frequently appeared words in the above coded text? "
                        + "Answer: According to the coded text above, the three most frequently appeared words are:");
                yield s.toString();
            }
            default -> throw new IllegalArgumentException(task);
        };
    }

    private String haystackWithNeedles(String key, int needles) {
        List<String> parts = new ArrayList<>(List.of(prose(sentences(10, 40)).split("(?<=\\. )")));
        for (int i = 0; i < needles; i++) {
            String needle = "One of the special magic numbers for " + (i == 0 || random.nextBoolean() ? key : identifier() + "-" + identifier())
                    + " is: " + between(1_000_000, 9_999_999) + ". ";
            parts.add(random.nextInt(parts.size() + 1), needle);
        }
        return String.join("", parts);
    }

    // ---- text pieces ----

    private String examples(int min, int max, Function<Integer, String> example) {
        StringBuilder s = new StringBuilder();
        int n = between(min, max);
        for (int i = 0; i < n; i++) {
            s.append(example.apply(i));
        }
        return s.toString();
    }

    private int sentences(int min, int max) {
        return between(min, max);
    }

    private String prose(int sentences) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            s.append(sentence()).append(' ');
        }
        return s.toString().trim();
    }

    private String sentence() {
        return pick(
                pick(NAMES) + " " + pick(VERBS) + " the " + pick(ADJECTIVES) + " " + pick(NOUNS) + " near " + pick(PLACES) + ".",
                "In " + between(1850, 2023) + ", the " + pick(NOUNS) + " was " + pick(VERBS) + " by " + pick(NAMES) + ".",
                "The " + pick(NOUNS) + " of " + pick(PLACES) + " is " + pick(ADJECTIVES) + " and " + pick(ADJECTIVES) + ".",
                pick(NAMES) + " told " + pick(NAMES) + " that the " + pick(NOUNS) + " had been " + pick(VERBS) + ".",
                "About " + between(2, 95) + " percent of the " + pick(NOUNS) + "s were " + pick(VERBS) + " last year.",
                "Nobody expected the " + pick(ADJECTIVES) + " " + pick(NOUNS) + " to matter so much.");
    }

    private String identifier() {
        String letters = "abcdefghijklmnopqrstuvwxyz";
        StringBuilder s = new StringBuilder();
        int n = between(3, 8);
        for (int i = 0; i < n; i++) {
            s.append(letters.charAt(random.nextInt(letters.length())));
        }
        return s.toString();
    }

    private static String capital(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private int between(int min, int max) {
        return min + random.nextInt(max - min + 1);
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }
}

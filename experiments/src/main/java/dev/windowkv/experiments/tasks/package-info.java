/**
 * RULER-style synthetic long-context tasks, made deterministically from a seed at a target length in
 * tokens of any {@link dev.windowkv.engine.tokenizer.Tokenizer}.
 *
 * <p>Retrieval ({@code niah_single}, {@code niah_single_word}, {@code niah_multikey},
 * {@code niah_multivalue}, {@code niah_multiquery}) and multi-hop ({@code vt}) tasks hide statements in
 * a haystack at a token depth; aggregation tasks ({@code cwe}, {@code fwe}) are a word list whose most
 * frequent words are the answer. {@link dev.windowkv.experiments.tasks.TaskSuite} finds them by name.
 *
 * <p>The retrieval prompts end with the needle's own words up to its value
 * ({@code ... The special magic number for mango is}), so the project's induction model, which copies
 * what followed the prompt's last tokens where they occurred before, can answer. vt cannot be answered
 * that way: its answer needs a backward lookup.
 *
 * <p>The niah tasks take a value span ({@link dev.windowkv.experiments.tasks.SampleSpec#valueSpan}):
 * values of 1 to 64 tokens of the reading model's tokenizer (multi-part numbers, long numbers, word
 * sequences, UUID-like strings), since a value is only answered whole if every one of its tokens
 * survives compression: token-level selection can keep the start of a long value and lose its end.
 * Each sample records the span it realised.
 *
 * <p>Scoring is RULER's {@code string_match_all} for every task: the fraction of expected strings in the
 * output, ignoring case. Where RULER differs in layout: the cwe list is comma-separated rather than
 * numbered, and fwe's Zipf counts are set rather than sampled, so the top three are always strictly ahead.
 */
package dev.windowkv.experiments.tasks;

package dev.windowkv.experiments.cli;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.testutil.GGUFLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static dev.windowkv.experiments.cli.UserErrorExitTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code windowkv generate} on a bad file or option: one line naming the problem, exit code 2, never a stack trace. */
class GenerateBadInputTest {
    @TempDir
    static Path dir;
    static byte[] shipped;

    @BeforeAll
    static void readTheShippedModel() throws Exception {
        Cli.useCheckoutAsHome();
        shipped = Files.readAllBytes(Cli.shippedModel());
    }

    static Cli.Outcome generate(Path model, String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "generate";
        args[1] = "--model";
        args[2] = model.toString();
        args[3] = "--max-tokens=2";
        System.arraycopy(more, 0, args, 4, more.length);
        return Cli.run(args);
    }

    static Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Offset of the first occurrence of {@code needle} in the shipped model's header. */
    static int indexOf(byte[] needle) {
        for (int i = 0; i + needle.length <= shipped.length; i++) {
            if (Arrays.equals(shipped, i, i + needle.length, needle, 0, needle.length)) return i;
        }
        throw new AssertionError("not in the shipped model: " + new String(needle, StandardCharsets.UTF_8));
    }

    /** A GGUF string as it is stored: u64 length, then the UTF-8 bytes. */
    static byte[] ggufString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + b.length).order(ByteOrder.LITTLE_ENDIAN).putLong(b.length).put(b).array();
    }

    @Test
    void theShippedModelGenerates() {
        Cli.Outcome o = generate(Cli.shippedModel(), "--prompt", "hello");
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.err().contains("tokens kept per layer"), o.err());
    }

    @Test
    void aTruncatedFile() throws Exception {
        Path half = write("half.gguf", Arrays.copyOf(shipped, shipped.length / 2));
        assertOneLineError(generate(half, "--prompt", "hi"), "half.gguf is truncated", "re-download");
    }

    @Test
    void aFileCutInsideItsHeader() throws Exception {
        Path cut = write("cut.gguf", Arrays.copyOf(shipped, 4096));
        assertOneLineError(generate(cut, "--prompt", "hi"), "cut.gguf is truncated");
    }

    @Test
    void aCorruptFileWithABadMagic() throws Exception {
        byte[] b = shipped.clone();
        b[0] = 'X';
        b[1] = 'X';
        assertOneLineError(generate(write("magic.gguf", b), "--prompt", "hi"), "magic.gguf is not a GGUF file", "bad magic");
    }

    /**
     * A type the engine cannot compute with, on the last tensor (its data only shrinks, so the file
     * stays well-formed): refused by name. On an earlier tensor the same patch moves every later
     * tensor's data and is refused as corrupt (see the engine's GGUFValidatorTest).
     */
    @Test
    void unsupportedTensorTypes() throws Exception {
        GGUFLayout.TensorField last = new GGUFLayout(shipped).tensors.getLast();
        assertEquals(GGMLType.Q8_0.id, GGUFLayout.getInt(shipped, last.typeAt()), "the shipped model is Q8_0");
        for (GGMLType t : new GGMLType[]{GGMLType.Q5_0, GGMLType.Q4_1}) {
            byte[] b = shipped.clone();
            GGUFLayout.putInt(b, last.typeAt(), t.id);
            Path p = write(t + ".gguf", b);
            try (GGUFFile f = GGUFFile.open(p)) {
                assertEquals(t, f.tensor(last.name()).type(), "the patch hit the type id");
            }
            assertOneLineError(generate(p, "--prompt", "hi"), "tensor type " + t + " is not supported", "re-quantize");
        }
    }

    @Test
    void anUnknownTensorTypeId() throws Exception {
        int typeAt = indexOf(ggufString("blk.0.attn_q.weight")) + ggufString("blk.0.attn_q.weight").length + 4 + 16;
        byte[] b = shipped.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, 61);
        assertOneLineError(generate(write("unknown-type.gguf", b), "--prompt", "hi"), "blk.0.attn_q.weight");
    }

    @Test
    void anUnsupportedArchitecture() throws Exception {
        // general.architecture is a string (type 8) "llama"; "mamba" has the same length, so the header stays valid.
        byte[] key = ggufString("general.architecture");
        int at = indexOf(key) + key.length + 4 + 8;
        assertEquals("llama", new String(shipped, at, 5, StandardCharsets.UTF_8));
        byte[] b = shipped.clone();
        System.arraycopy("mamba".getBytes(StandardCharsets.UTF_8), 0, b, at, 5);
        assertOneLineError(generate(write("mamba.gguf", b), "--prompt", "hi"), "unsupported model architecture 'mamba'", "llama");
    }

    /** A named pipe used to hang in open(); only regular files are opened now. */
    @Test
    void aNamedPipeAsTheModel() throws Exception {
        Path fifo = dir.resolve("model.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo is available");
        Cli.Outcome o;
        try {
            o = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> generate(fifo, "--prompt", "hi"));
        } catch (AssertionError hung) {
            // a writer releases the reader stuck in open(), which holds the CLI for the other tests
            Thread.ofVirtual().start(() -> {
                try (var w = Files.newOutputStream(fifo)) { } catch (Exception ignored) { }
            });
            throw hung;
        }
        assertOneLineError(o, "model path is not a regular file", "model.fifo");
    }

    /**
     * The last tensor (so its data still fits and no offset moves) declared with fewer rows than the
     * metadata implies: it used to generate with exit 0.
     */
    @Test
    void aTensorWithTheWrongNumberOfRows() throws Exception {
        GGUFLayout layout = new GGUFLayout(shipped);
        GGUFLayout.TensorField last = layout.tensors.getLast();
        byte[] b = shipped.clone();
        long rows = GGUFLayout.getLong(b, last.dimAt()[1]);
        GGUFLayout.putLong(b, last.dimAt()[1], rows - 1);
        assertOneLineError(generate(write("rows.gguf", b), "--prompt", "hi"), "rows.gguf", "tensor '" + last.name() + "' has shape",
                "but the model's metadata implies");
    }

    /** head_count 0 used to end in an ArithmeticException's stack trace (a division by zero). */
    @Test
    void headCountZeroOrBlockCountZero() throws Exception {
        GGUFLayout layout = new GGUFLayout(shipped);
        byte[] b = shipped.clone();
        GGUFLayout.putInt(b, layout.entry("llama.attention.head_count").valueAt(), 0);
        assertOneLineError(generate(write("heads0.gguf", b), "--prompt", "hi"), "llama.attention.head_count = 0 must be at least 1");
        b = shipped.clone();
        GGUFLayout.putInt(b, layout.entry("llama.block_count").valueAt(), 0);
        assertOneLineError(generate(write("blocks0.gguf", b), "--prompt", "hi"), "llama.block_count = 0 must be at least 1");
        b = shipped.clone();
        GGUFLayout.putInt(b, layout.entry("llama.block_count").valueAt(), -1);
        assertOneLineError(generate(write("blocksmax.gguf", b), "--prompt", "hi"), "'llama.block_count' = 4294967295 is out of range");
    }

    @Test
    void aPromptLongerThanTheContext() throws Exception {
        Path prompt = dir.resolve("long.txt");
        Files.writeString(prompt, "the quick brown fox jumps over the lazy dog. ".repeat(1500));
        assertOneLineError(generate(Cli.shippedModel(), "--prompt-file", prompt.toString()),
                "the model's context is 4096 tokens", "shorten the prompt");
    }

    @Test
    void anUnknownBackend() {
        assertOneLineError(generate(Cli.shippedModel(), "--prompt", "hi", "--backend", "cuda"), "unknown backend 'cuda'");
    }

    @Test
    void aMissingModelOrPromptFile() {
        assertOneLineError(generate(dir.resolve("nope.gguf"), "--prompt", "hi"), "model file not found", "nope.gguf");
        assertOneLineError(generate(dir, "--prompt", "hi"), "is a directory");
        assertOneLineError(generate(Cli.shippedModel(), "--prompt-file", dir.resolve("nope.txt").toString()),
                "prompt file not found", "nope.txt");
    }

    @Test
    void aPromptFileThatIsADirectoryOrNotUtf8() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("prompts"));
        assertOneLineError(generate(Cli.shippedModel(), "--prompt-file", folder.toString()), "prompts", "is a directory");
        // 'h', then a lead byte (0xC3) followed by '(' instead of a continuation byte.
        Path latin = write("latin1.txt", new byte[] {'h', (byte) 0xC3, '(', 'i'});
        assertOneLineError(generate(Cli.shippedModel(), "--prompt-file", latin.toString()),
                "latin1.txt is not valid UTF-8", "byte 1", "save it as UTF-8");
        Path cut = write("cut.txt", new byte[] {'h', 'i', (byte) 0xE2, (byte) 0x82});
        assertOneLineError(generate(Cli.shippedModel(), "--prompt-file", cut.toString()), "cut.txt is not valid UTF-8");
        Path fine = write("fine.txt", "héllo €".getBytes(StandardCharsets.UTF_8));
        assertEquals(0, generate(Cli.shippedModel(), "--prompt-file", fine.toString()).exit());
    }

    @Test
    void aCompressingPolicyNeedsABudget() {
        for (String kv : new String[] {"windowkv", "snapkv", "streamingllm"}) {
            assertOneLineError(generate(Cli.shippedModel(), "--prompt", "hi", "--kv", kv), "--kv " + kv, "--budget");
        }
        assertEquals(0, generate(Cli.shippedModel(), "--prompt", "hi", "--kv", "snapkv", "--kv-opt", "budget=64").exit());
        assertEquals(0, generate(Cli.shippedModel(), "--prompt", "hi", "--kv", "full").exit());
    }

    @Test
    void samplingSettingsThatAreNotNumbersOrOutOfRange() {
        for (String t : new String[] {"NaN", "Infinity", "-0.5"}) {
            assertOneLineError(generate(Cli.shippedModel(), "--prompt", "hi", "--temperature", t), "--temperature must be a finite number");
        }
        assertOneLineError(generate(Cli.shippedModel(), "--prompt", "hi", "--temperature", "inf"), "--temperature");
        assertOneLineError(generate(Cli.shippedModel(), "--prompt", "hi", "--temperature", "0.7", "--top-p", "NaN"), "--top-p");
    }

    @Test
    void noTokensToGeneratePrintsNoRate() {
        Cli.Outcome o = Cli.run("generate", "--model", Cli.shippedModel().toString(), "--prompt", "hello", "--max-tokens", "0");
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.err().contains("decode: 0 tokens"), o.err());
        assertFalse(o.err().contains("NaN"), o.err());
    }

    /** Issue 13 item 10: on the shipped 8-layer model WindowKV runs in four groups of two, and says so. */
    @Test
    void windowKvOnTheShippedModelRunsInFourGroupsAndPrintsItsOptions() {
        String prompt = "the quick brown fox jumps over the lazy dog. ".repeat(40);
        Cli.Outcome o = generate(Cli.shippedModel(), "--prompt", prompt, "--kv", "windowkv", "--budget", "64", "--strategy", "max");
        assertEquals(0, o.exit(), o.err());
        // β defaults to 14·2/8 = 3.5: the paper's profile, group budgets 92/74/56/36 (+ the 32-token suffix, in windows of 8).
        assertTrue(o.err().contains("policy windowkv budget=64 groupSize=2 strategy=max windowSize=8 suffixMax=32 suffixAverage=16 beta=3.5"),
                o.err());
        String line = o.err().lines().filter(l -> l.startsWith("tokens kept per layer:")).findFirst().orElseThrow();
        int[] kept = Arrays.stream(line.substring("tokens kept per layer:".length()).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        assertEquals(8, kept.length, line);
        for (int g = 0; g < 4; g++) assertEquals(kept[2 * g], kept[2 * g + 1], "a group of two shares its windows: " + line);
        assertTrue(kept[0] > kept[2] && kept[2] > kept[4] && kept[4] > kept[6], "four decaying group budgets: " + line);
    }

    @Test
    void badPolicyOptions() {
        assertOneLineError(generate(Cli.shippedModel(), "--prompt", "hi", "--kv", "quest"), "quest");
        assertOneLineError(generate(Cli.shippedModel(), "--prompt", "hi", "--kv-dtype", "f8"), "--kv-dtype must be f32, f16, q8_0 or q4_0");
        assertOneLineError(generate(Cli.shippedModel(), "--prompt", "hi", "--kv-opt", "groupSize"), "--kv-opt takes key=value");
    }
}

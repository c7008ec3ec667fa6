package dev.windowkv.experiments.cli;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.windowkv.experiments.cli.UserErrorExitTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void unsupportedTensorTypes() throws Exception {
        // The tensor info of blk.0.attn_q.weight: name, u32 dimension count (2), two u64 dimensions, then the u32 type id.
        int typeAt = indexOf(ggufString("blk.0.attn_q.weight")) + ggufString("blk.0.attn_q.weight").length + 4 + 16;
        ByteBuffer le = ByteBuffer.wrap(shipped).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(GGMLType.Q8_0.id, le.getInt(typeAt), "the shipped model is Q8_0");
        for (GGMLType t : new GGMLType[]{GGMLType.Q5_0, GGMLType.IQ2_XXS}) {
            byte[] b = shipped.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, t.id);
            Path p = write(t + ".gguf", b);
            try (GGUFFile f = GGUFFile.open(p)) {
                assertEquals(t, f.tensor("blk.0.attn_q.weight").type(), "the patch hit the type id");
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
        Cli.Outcome o = generate(Cli.shippedModel(), "--prompt", prompt, "--kv", "windowkv", "--budget", "16", "--strategy", "max");
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.err().contains("policy windowkv budget=16 groupSize=2 strategy=max windowSize=8"), o.err());
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

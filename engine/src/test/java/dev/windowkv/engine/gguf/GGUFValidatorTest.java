package dev.windowkv.engine.gguf;

import dev.windowkv.engine.testutil.GGUFLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.windowkv.engine.gguf.GGUFFileTest.assertMentions;
import static dev.windowkv.engine.gguf.GGUFFileTest.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The container rules: each malformed file below used to load (or to fail with a stack trace) and is
 * now refused in one line that names the file and the fault.
 */
class GGUFValidatorTest {
    @TempDir
    Path dir;

    /** Three tensors in table order: a 2 × 64 Q8_0 matrix "w1", a 64-value F32 vector "v", a 2 × 64 Q8_0 "w2". */
    byte[] three() throws Exception {
        Path p = dir.resolve("three.gguf");
        float[] m = new float[128];
        for (int i = 0; i < m.length; i++) m[i] = i / 64f - 1;
        new GGUFWriter().putString("general.architecture", "llama").putU32("aaaa.x", 1).putU32("aaaa.y", 2)
                .addTensor("w1", new long[]{64, 2}, GGMLType.Q8_0, Quantize.quantize(GGMLType.Q8_0, m))
                .addTensor("v", new long[]{64}, GGMLType.F32, Quantize.quantize(GGMLType.F32, new float[64]))
                .addTensor("w2", new long[]{64, 2}, GGMLType.Q8_0, Quantize.quantize(GGMLType.Q8_0, m))
                .write(p);
        byte[] b = Files.readAllBytes(p);
        try (GGUFFile f = GGUFFile.open(p)) {
            assertEquals(3, f.tensors().size(), "the unpatched file is valid");
        }
        return b;
    }

    String errorOf(byte[] patched) throws Exception {
        Path p = dir.resolve("patched.gguf");
        Files.write(p, patched);
        return error(p);
    }

    @Test
    void aDuplicatedMetadataKey() throws Exception {
        byte[] b = three();
        GGUFLayout.Entry y = new GGUFLayout(b).entry("aaaa.y");
        b[y.keyAt() + 8 + 5] = 'x';
        assertMentions(errorOf(b), "is corrupt: metadata key 'aaaa.x' appears twice");
    }

    @Test
    void aDuplicatedTensorName() throws Exception {
        byte[] b = three();
        GGUFLayout.TensorField w2 = new GGUFLayout(b).tensor("w2");
        b[w2.nameAt() + 8 + 1] = '1';
        assertMentions(errorOf(b), "is corrupt: tensor 'w1' appears twice");
    }

    @Test
    void overlappingTensorData() throws Exception {
        byte[] b = three();
        GGUFLayout l = new GGUFLayout(b);
        GGUFLayout.putLong(b, l.tensor("w2").offsetAt(), GGUFLayout.getLong(b, l.tensor("v").offsetAt()));
        assertMentions(errorOf(b), "tensor 'w2' at data offset", "overlaps the previous tensor's data");
    }

    @Test
    void aMisalignedOffset() throws Exception {
        byte[] b = three();
        GGUFLayout l = new GGUFLayout(b);
        int at = l.tensor("v").offsetAt();
        GGUFLayout.putLong(b, at, GGUFLayout.getLong(b, at) + 4);
        assertMentions(errorOf(b), "tensor 'v' has data offset", "not a multiple of the alignment 32");
    }

    /** Q8_0 → Q4_0 keeps the file in range but leaves the next tensor where the old size put it. */
    @Test
    void aTypeChangedInPlaceNoLongerMatchesItsData() throws Exception {
        byte[] b = three();
        GGUFLayout l = new GGUFLayout(b);
        GGUFLayout.putInt(b, l.tensor("w1").typeAt(), GGMLType.Q4_0.id);
        assertMentions(errorOf(b), "tensor 'v' at data offset", "leaves a gap", "type or shape does not match its data");
        GGUFLayout.putInt(b, l.tensor("w1").typeAt(), GGMLType.F32.id);
        assertMentions(errorOf(b), "tensor 'v' at data offset", "overlaps");
    }

    @Test
    void anInvalidTypeId() throws Exception {
        byte[] b = three();
        GGUFLayout l = new GGUFLayout(b);
        for (int id : new int[]{4, 31, 61, -1, Integer.MAX_VALUE}) {
            GGUFLayout.putInt(b, l.tensor("w2").typeAt(), id);
            assertMentions(errorOf(b), "tensor 'w2' has ggml type id " + id + ", which is not a ggml type");
        }
    }

    @Test
    void dimensionsWhoseProductOverflows() throws Exception {
        byte[] b = three();
        GGUFLayout.TensorField w2 = new GGUFLayout(b).tensor("w2");
        GGUFLayout.putLong(b, w2.dimAt()[0], 1L << 40);
        GGUFLayout.putLong(b, w2.dimAt()[1], 1L << 40);
        assertMentions(errorOf(b), "tensor 'w2' has dimensions [1099511627776, 1099511627776] whose size overflows");
    }

    @Test
    void aHugeDimensionIsOutOfTheFile() throws Exception {
        byte[] b = three();
        GGUFLayout.TensorField w2 = new GGUFLayout(b).tensor("w2");
        GGUFLayout.putLong(b, w2.dimAt()[1], 1L << 50);
        assertMentions(errorOf(b), "is truncated: tensor 'w2' needs bytes up to");
    }

    @Test
    void anAlignmentThatIsNoPowerOfTwoOrTooSmall() throws Exception {
        for (int a : new int[]{0, 1, 4, 48}) {
            Path p = dir.resolve("align" + a + ".gguf");
            new GGUFWriter().putU32("general.alignment", a).write(p);
            assertMentions(error(p), "general.alignment = " + a + " is not a power of two of at least 8");
        }
        Path p = dir.resolve("align64.gguf");
        new GGUFWriter().putU64("general.alignment", (1L << 32) + 32).write(p);
        assertMentions(error(p), "general.alignment = 4294967328");
    }

    @Test
    void aLongArrayOrStringCountIsBoundedByTheFile() throws Exception {
        Path p = dir.resolve("arr.gguf");
        new GGUFWriter().putStringArray("tokenizer.ggml.tokens", new String[]{"a", "b"}).write(p);
        byte[] b = Files.readAllBytes(p);
        int countAt = new GGUFLayout(b).entry("tokenizer.ggml.tokens").valueAt() + 4;
        GGUFLayout.putLong(b, countAt, b.length / 8 + 1);
        assertMentions(errorOf(b), "array 'tokenizer.ggml.tokens' claims", "bytes are left");
        GGUFLayout.putLong(b, countAt, 2);
        GGUFLayout.putLong(b, countAt + 8, Long.MAX_VALUE); // the first string's length
        assertMentions(errorOf(b), "is corrupt: string length " + Long.MAX_VALUE);
    }

    @Test
    void aControlCharacterInANameStaysOnOneLine() throws Exception {
        byte[] b = three();
        GGUFLayout.TensorField w2 = new GGUFLayout(b).tensor("w2");
        b[w2.nameAt() + 8] = 'w';
        b[w2.nameAt() + 9] = '\n';
        GGUFLayout.putInt(b, w2.typeAt(), 61);
        assertMentions(errorOf(b), "tensor 'w\\u000a' has ggml type id 61");
    }

    @Test
    void aNamedPipeIsRefusedNotOpened() throws Exception {
        Path fifo = dir.resolve("model.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo is available");
        String m = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> error(fifo), "opening a FIFO blocks");
        assertMentions(m, "model path is not a regular file", "model.fifo");
    }
}

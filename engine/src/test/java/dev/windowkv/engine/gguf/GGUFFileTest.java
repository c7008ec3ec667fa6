package dev.windowkv.engine.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading GGUF files, and the one-line errors for files that cannot be read. */
class GGUFFileTest {
    @TempDir
    Path dir;

    /** A 2 × 4 F32 matrix, rows {1, 2, 3, 4} and {5, 6, 7, 8}. */
    static byte[] matrix() {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= 8; i++) b.putFloat(i);
        return b.array();
    }

    Path small() {
        Path p = dir.resolve("small.gguf");
        new GGUFWriter().putString("general.architecture", "llama").putU32("llama.block_count", 2)
                .putF32("llama.rope.freq_base", 500000f).putStringArray("tokenizer.ggml.tokens", new String[]{"a", "b"})
                .addTensor("w", new long[]{4, 2}, GGMLType.F32, matrix()).write(p);
        return p;
    }

    static String error(Path p) {
        return assertThrows(GGUFException.class, () -> GGUFFile.open(p).close()).getMessage();
    }

    static void assertMentions(String message, String... parts) {
        for (String part : parts) assertTrue(message.contains(part), "'" + message + "' should mention '" + part + "'");
        assertEquals(1, message.lines().count(), message);
    }

    @Test
    void readsBackWhatTheWriterWrote() {
        try (GGUFFile f = GGUFFile.open(small())) {
            assertEquals(3, f.version());
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(2, f.getInt("llama.block_count"));
            assertEquals(500000f, f.getFloat("llama.rope.freq_base"));
            assertArrayEquals(new String[]{"a", "b"}, f.getStringArray("tokenizer.ggml.tokens"));
            GGUFTensorInfo w = f.tensor("w");
            assertEquals(GGMLType.F32, w.type());
            assertEquals(4, w.cols());
            assertEquals(2, w.rows());
            assertEquals(0, f.dataOffset() % GGUFFile.DEFAULT_ALIGNMENT);
            assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 7, 8},
                    w.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
        }
    }

    @Test
    void aStringArrayIsDecodedFromTheMappingWhenAskedNotHeld() {
        try (GGUFFile f = GGUFFile.open(small())) {
            String[] first = f.getStringArray("tokenizer.ggml.tokens");
            assertArrayEquals(first, f.getStringArray("tokenizer.ggml.tokens"));
            assertNotSame(first, f.getStringArray("tokenizer.ggml.tokens"), "decoded per call, not kept by the file");
            assertArrayEquals(first, (String[]) f.get("tokenizer.ggml.tokens"));
            assertArrayEquals(first, (String[]) f.metadata().get("tokenizer.ggml.tokens"));
            assertMentions(assertThrows(GGUFException.class, () -> f.getString("tokenizer.ggml.tokens")).getMessage(),
                    "'tokenizer.ggml.tokens' should be a string but is String[]");
        }
    }

    @Test
    void aBadStringInsideAStringArrayIsFoundWhenTheFileOpens() throws Exception {
        Path p = small();
        byte[] all = Files.readAllBytes(p);
        // the array's second element: its 8-byte length, then "b"; make the length run past the file
        int b = indexOf(all, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 'b'});
        all[b + 7] = 0x40;
        Files.write(p, all);
        assertMentions(error(p), "small.gguf is corrupt: string length");
    }

    private static int indexOf(byte[] all, byte[] part) {
        for (int i = 0; i + part.length <= all.length; i++) {
            if (Arrays.equals(all, i, i + part.length, part, 0, part.length)) return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void aFileCutInItsTensorDataNamesTheTensorAndTheSizes() throws Exception {
        Path p = small();
        byte[] all = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(all, all.length - 4));
        assertMentions(error(p), "small.gguf is truncated", "tensor 'w' needs bytes up to " + all.length,
                "the file has " + (all.length - 4), "re-download");
    }

    @Test
    void aFileCutInItsHeader() throws Exception {
        Path p = small();
        Files.write(p, Arrays.copyOf(Files.readAllBytes(p), 40));
        assertMentions(error(p), "small.gguf is truncated or corrupt", "the file has 40");
    }

    @Test
    void aFileTooShortForAHeader() throws Exception {
        Path p = dir.resolve("tiny.gguf");
        Files.write(p, new byte[]{'G', 'G', 'U', 'F'});
        assertMentions(error(p), "tiny.gguf is not a GGUF file: only 4 bytes");
    }

    @Test
    void aBadMagic() throws Exception {
        Path p = small();
        byte[] all = Files.readAllBytes(p);
        all[0] = 'P';
        all[1] = 'K';
        Files.write(p, all);
        assertMentions(error(p), "is not a GGUF file (bad magic 0x46554b50)");
    }

    @Test
    void anUnsupportedVersion() throws Exception {
        Path p = small();
        byte[] all = Files.readAllBytes(p);
        all[4] = 7;
        Files.write(p, all);
        assertMentions(error(p), "GGUF version 7 is not supported");
    }

    @Test
    void implausibleCountsAreCorruptionNotAnOutOfMemoryError() throws Exception {
        Path p = small();
        byte[] all = Files.readAllBytes(p);
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE); // the metadata count
        Files.write(p, all);
        assertMentions(error(p), "is truncated or corrupt: implausible header counts");
    }

    @Test
    void aTensorTypeIdThatIsNoGgmlTypeIsRefused() throws Exception {
        Path p = small();
        byte[] all = Files.readAllBytes(p);
        // The type id is the u32 before the tensor's u64 offset (0), at the end of the tensor table.
        byte[] name = {1, 0, 0, 0, 0, 0, 0, 0, 'w'};
        int at = -1;
        for (int i = 0; i + name.length <= all.length; i++) if (Arrays.equals(all, i, i + name.length, name, 0, name.length)) at = i;
        int typeAt = at + name.length + 4 + 8 + 8;
        ByteBuffer le = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(GGMLType.F32.id, le.getInt(typeAt));
        le.putInt(typeAt, 61);
        Files.write(p, all);
        // llama.cpp refuses it too: without a type the tensor's size, and so every later offset, is unknown
        assertMentions(error(p), "small.gguf is corrupt: tensor 'w' has ggml type id 61, which is not a ggml type");
    }

    @Test
    void aMissingFileOrADirectory() {
        assertMentions(error(dir.resolve("nope.gguf")), "model file not found", "nope.gguf");
        assertMentions(error(dir), "model path is a directory");
    }

    @Test
    void aMissingKeyOrTensorIsNamed() {
        try (GGUFFile f = GGUFFile.open(small())) {
            assertMentions(assertThrows(GGUFException.class, () -> f.getInt("llama.embedding_length")).getMessage(),
                    "lacks the metadata key 'llama.embedding_length'");
            assertMentions(assertThrows(GGUFException.class, () -> f.getInt("general.architecture")).getMessage(),
                    "'general.architecture' should be an integer but is String");
            assertMentions(assertThrows(GGUFException.class, () -> f.tensor("output.weight")).getMessage(),
                    "has no tensor 'output.weight'");
        }
    }
}

package dev.windowkv.engine.gguf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The container-level rules a GGUF file must keep before anything is read from it, as llama.cpp's
 * {@code gguf_init_from_file} keeps them: what the header declares must fit in the bytes that
 * follow, keys and tensor names are unique, every tensor has a ggml type and a shape whose size
 * does not overflow, and the tensors' data lie in the file, aligned, in table order, with no gap or
 * overlap (so a type or shape that does not match its data shows up as a misplaced next tensor).
 *
 * <p>Each rule throws a {@link GGUFException} whose one line names the file and what is wrong.
 * Whether the shapes suit an architecture is the model's concern, not this class's.
 */
final class GGUFValidator {
    /** llama.cpp's GGML_MAX_NAME: tensor names are fixed 64-byte, NUL-terminated fields in ggml. */
    static final int MAX_TENSOR_NAME = 63;
    /** ggml tensors have at most four dimensions (GGML_MAX_DIMS). */
    static final int MAX_DIMS = 4;
    /** Smallest encoding of a metadata entry: an empty key (8), its type (4) and a one-byte value. */
    static final int MIN_KV_BYTES = 8 + 4 + 1;
    /** Smallest encoding of a tensor-table entry: an empty name, one dimension, a type and an offset. */
    static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;

    private final Path path;

    GGUFValidator(Path path) {
        this.path = path;
    }

    GGUFException corrupt(String what) {
        return new GGUFException(path + " is corrupt: " + what + " (re-download or re-convert the model)");
    }

    /** For a size that runs past the end of the file: a cut download and a corrupt count look the same. */
    GGUFException truncatedOrCorrupt(String what) {
        return new GGUFException(path + " is truncated or corrupt: " + what + " (re-download or re-convert the model)");
    }

    /**
     * Only a regular file is opened: a FIFO or a device would block or never end, and a directory
     * is a wrong path.
     */
    static void regularFile(Path path) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new GGUFException("model file not found: " + path + " (check the --model path)");
        } catch (IOException e) {
            throw new GGUFException("cannot read " + path + ": " + e.getMessage());
        }
        if (a.isDirectory()) {
            throw new GGUFException("model path is a directory, not a GGUF file: " + path);
        }
        if (!a.isRegularFile()) {
            throw new GGUFException("model path is not a regular file (a pipe, socket or device?): " + path
                    + "; give the path of a .gguf file");
        }
    }

    /** The counts must fit in the bytes after the header, so no count can make the reader allocate more than the file holds. */
    void headerCounts(long tensorCount, long kvCount, long remaining, long fileSize) {
        if (tensorCount < 0 || kvCount < 0 || tensorCount > remaining / MIN_TENSOR_INFO_BYTES
                || kvCount > remaining / MIN_KV_BYTES) {
            throw new GGUFException(path + " is truncated or corrupt: implausible header counts ("
                    + Long.toUnsignedString(tensorCount) + " tensors, " + Long.toUnsignedString(kvCount)
                    + " metadata keys, but the file has " + fileSize + " bytes) (re-download or re-convert the model)");
        }
    }

    void uniqueKey(Map<String, Object> metadata, String key) {
        if (metadata.containsKey(key)) throw corrupt("metadata key '" + shortName(key) + "' appears twice");
    }

    /** A key or name read from the file, cut to a length that fits a message (a corrupt one can be megabytes). */
    static String shortName(String s) {
        return s.length() <= 64 ? s : s.substring(0, 60) + "…";
    }

    /** {@code general.alignment}: a power of two and a multiple of 8 (the GGUF spec's rule), 32 when absent. */
    int alignment(Map<String, Object> metadata) {
        Object v = metadata.get("general.alignment");
        if (v == null) return GGUFFile.DEFAULT_ALIGNMENT;
        if (!(v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)) {
            throw corrupt("general.alignment should be an integer but is " + v.getClass().getSimpleName());
        }
        long a = ((Number) v).longValue();
        if (a < 8 || a > (1 << 30) || Long.bitCount(a) != 1) {
            throw corrupt("general.alignment = " + a + " is not a power of two of at least 8");
        }
        return (int) a;
    }

    void tensorName(String name, Set<String> seen) {
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_TENSOR_NAME) {
            throw corrupt("tensor name '" + shortName(name) + "' is longer than " + MAX_TENSOR_NAME + " bytes");
        }
        if (!seen.add(name)) throw corrupt("tensor '" + name + "' appears twice in the tensor table");
    }

    void dimensionCount(String name, int nDims) {
        if (nDims < 1 || nDims > MAX_DIMS) throw corrupt("tensor '" + name + "' has " + nDims + " dimensions");
    }

    void dimension(String name, long d) {
        if (d <= 0) throw corrupt("tensor '" + name + "' has dimension " + d);
    }

    GGMLType type(String name, int id) {
        GGMLType t = GGMLType.byId(id);
        if (t == null) throw corrupt("tensor '" + name + "' has ggml type id " + id + ", which is not a ggml type");
        return t;
    }

    /** The tensor's data size in bytes; the element count and the size are checked for overflow. */
    long byteSize(String name, long[] dims, GGMLType type) {
        if (dims[0] % type.blockSize != 0) {
            throw corrupt("tensor '" + name + "' row of " + dims[0] + " is not a multiple of the " + type
                    + " block size " + type.blockSize);
        }
        try {
            long elements = 1;
            for (long d : dims) elements = Math.multiplyExact(elements, d);
            return type.byteSize(elements);
        } catch (ArithmeticException e) {
            throw corrupt("tensor '" + name + "' has dimensions " + java.util.Arrays.toString(dims)
                    + " whose size overflows");
        }
    }

    /** A tensor's place in the data section: its declared offset and the bytes its type and shape need. */
    record Placement(String name, long offset, long bytes) {}

    /**
     * Each tensor starts where the previous one ends, rounded up to the alignment, as every GGUF
     * writer lays them out and llama.cpp requires; the last one ends inside the file.
     */
    void dataLayout(List<Placement> tensors, long dataOffset, long fileSize, int alignment) {
        long expected = 0;
        for (Placement t : tensors) {
            if (t.offset() < 0 || t.offset() % alignment != 0) {
                throw corrupt("tensor '" + t.name() + "' has data offset " + Long.toUnsignedString(t.offset())
                        + ", which is not a multiple of the alignment " + alignment);
            }
            if (t.offset() < expected) {
                throw corrupt("tensor '" + t.name() + "' at data offset " + t.offset()
                        + " overlaps the previous tensor's data, which ends at " + expected);
            }
            if (t.offset() > expected) {
                throw corrupt("tensor '" + t.name() + "' at data offset " + t.offset() + " leaves a gap after the"
                        + " previous tensor's data, which ends at " + expected
                        + " (a tensor's type or shape does not match its data)");
            }
            long end;
            try {
                end = Math.addExact(Math.addExact(dataOffset, t.offset()), t.bytes());
            } catch (ArithmeticException e) {
                end = Long.MAX_VALUE;
            }
            if (end > fileSize) {
                throw new GGUFException(path + " is truncated: tensor '" + t.name() + "' needs bytes up to "
                        + (end == Long.MAX_VALUE ? "beyond 2^63" : Long.toString(end)) + " but the file has "
                        + fileSize + " (re-download or re-convert the model)");
            }
            expected = GGUFFile.align(t.offset() + t.bytes(), alignment);
        }
    }
}

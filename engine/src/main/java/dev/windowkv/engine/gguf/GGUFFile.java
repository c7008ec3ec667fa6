package dev.windowkv.engine.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A GGUF file (v2 or v3), memory-mapped. Metadata is parsed onto the heap; tensor data is not:
 * each {@link GGUFTensorInfo#data()} is a view into the mapping, valid until {@link #close()}.
 *
 * <p>Metadata values are boxed as: Byte/Short/Integer/Long (signed and unsigned types alike,
 * unsigned ones widened where they would not fit), Float, Double, Boolean, String; arrays as
 * {@code byte[] short[] int[] long[] float[] double[] boolean[] String[]} or {@code Object[]} for
 * nested arrays.
 *
 * <p>A top-level array of strings is checked when the file is opened but decoded only when asked for
 * ({@link #getStringArray}, {@link #get}, {@link #metadata}), from the mapping, each time: a 128k
 * vocabulary's tokens and merges are ~400,000 strings (~20 MiB of heap), which the tokenizer reads
 * once and the file need not hold for the life of the model.
 */
public final class GGUFFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF", little-endian
    public static final int DEFAULT_ALIGNMENT = 32;

    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GGUFTensorInfo> tensors;
    private final int alignment;
    private final long dataOffset;

    private GGUFFile(Path path, Arena arena, MemorySegment mapping, int version, Map<String, Object> metadata,
                     Map<String, GGUFTensorInfo> tensors, int alignment, long dataOffset) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    public static GGUFFile open(Path path) {
        GGUFValidator.regularFile(path);
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 24) {
                throw new GGUFException(path + " is not a GGUF file: only " + size + " bytes (truncated download?)");
            }
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return parse(path, arena, seg);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GGUFException("model file not found: " + path);
        } catch (IOException e) {
            arena.close();
            throw new GGUFException("cannot read " + path + ": " + e.getMessage());
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static GGUFFile parse(Path path, Arena arena, MemorySegment seg) {
        GGUFValidator check = new GGUFValidator(path);
        Reader r = new Reader(seg, path, check);
        int magic = r.i32();
        if (magic != MAGIC) {
            throw new GGUFException(path + " is not a GGUF file (bad magic 0x" + Integer.toHexString(magic)
                    + "); convert the model to GGUF with llama.cpp's convert_hf_to_gguf.py");
        }
        int version = r.i32();
        if (version != 2 && version != 3) {
            throw new GGUFException(path + ": GGUF version " + version + " is not supported (only v2 and v3); "
                    + "re-convert the model with a current llama.cpp");
        }
        long tensorCount = r.i64();
        long kvCount = r.i64();
        check.headerCounts(tensorCount, kvCount, seg.byteSize() - r.pos, seg.byteSize());
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = r.string();
            check.uniqueKey(metadata, key);
            int type = r.i32();
            metadata.put(key, r.value(type, key));
        }
        int alignment = check.alignment(metadata);
        record Raw(String name, long[] dims, GGMLType type, long offset, long bytes) {}
        Raw[] raws = new Raw[(int) tensorCount];
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tensorCount; i++) {
            String name = r.string();
            check.tensorName(name, names);
            int nDims = r.i32();
            check.dimensionCount(name, nDims);
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = r.i64();
                check.dimension(name, dims[d]);
            }
            GGMLType type = check.type(name, r.i32());
            long offset = r.i64();
            raws[i] = new Raw(name, dims, type, offset, check.byteSize(name, dims, type));
        }
        long dataOffset = align(r.pos, alignment);
        List<GGUFValidator.Placement> placements = new ArrayList<>(raws.length);
        for (Raw raw : raws) placements.add(new GGUFValidator.Placement(raw.name, raw.offset, raw.bytes));
        check.dataLayout(placements, dataOffset, seg.byteSize(), alignment);
        Map<String, GGUFTensorInfo> tensors = new LinkedHashMap<>();
        for (Raw raw : raws) {
            MemorySegment data = seg.asSlice(dataOffset + raw.offset, raw.bytes);
            tensors.put(raw.name, new GGUFTensorInfo(raw.name, raw.dims, raw.type, raw.offset, data));
        }
        return new GGUFFile(path, arena, seg, version, Collections.unmodifiableMap(metadata),
                Collections.unmodifiableMap(tensors), alignment, dataOffset);
    }

    static long align(long x, int alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    public Path path() { return path; }
    public int version() { return version; }
    public int alignment() { return alignment; }
    public long dataOffset() { return dataOffset; }
    public long fileSize() { return mapping.byteSize(); }
    /** Every key and value, string arrays decoded (a copy: call once, not per key). */
    public Map<String, Object> metadata() {
        Map<String, Object> all = new LinkedHashMap<>();
        metadata.forEach((key, value) -> all.put(key, decoded(value)));
        return Collections.unmodifiableMap(all);
    }
    public Map<String, GGUFTensorInfo> tensors() { return tensors; }

    public boolean has(String key) { return metadata.containsKey(key); }

    public Object get(String key) { return decoded(metadata.get(key)); }

    /** Where a top-level string array's elements start in the file, and how many there are. */
    private record Strings(long offset, int count) {}

    private Object decoded(Object value) {
        if (!(value instanceof Strings(long offset, int count))) return value;
        Reader r = new Reader(mapping, path, new GGUFValidator(path));
        r.pos = offset;
        String[] a = new String[count];
        for (int i = 0; i < count; i++) a[i] = r.string();
        return a;
    }

    public String getString(String key) {
        Object v = require(key);
        if (v instanceof String s) return s;
        throw wrongType(key, "a string", v);
    }

    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    public int getInt(String key) {
        Object v = require(key);
        if (v instanceof Number n && !(v instanceof Float) && !(v instanceof Double)) {
            long x = n.longValue();
            if (x != (int) x) {
                throw new GGUFException(path + ": metadata '" + key + "' = " + x + " is out of range (corrupt file?)");
            }
            return (int) x;
        }
        throw wrongType(key, "an integer", v);
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public float getFloat(String key) {
        Object v = require(key);
        if (v instanceof Number n) return n.floatValue();
        throw wrongType(key, "a number", v);
    }

    public float getFloat(String key, float fallback) {
        return has(key) ? getFloat(key) : fallback;
    }

    public boolean getBool(String key, boolean fallback) {
        Object v = metadata.get(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw wrongType(key, "a boolean", v);
    }

    public String[] getStringArray(String key) {
        Object v = decoded(require(key));
        if (v instanceof String[] a) return a;
        throw wrongType(key, "an array of strings", v);
    }

    public float[] getFloatArray(String key) {
        Object v = require(key);
        if (v instanceof float[] a) return a;
        throw wrongType(key, "an array of float32", v);
    }

    /** Any integer array widened to int (token types, merges ranks, ...). */
    public int[] getIntArray(String key) {
        Object v = require(key);
        if (v instanceof int[] a) return a;
        if (v instanceof byte[] a) { int[] o = new int[a.length]; for (int i = 0; i < a.length; i++) o[i] = a[i]; return o; }
        if (v instanceof short[] a) { int[] o = new int[a.length]; for (int i = 0; i < a.length; i++) o[i] = a[i]; return o; }
        if (v instanceof long[] a) { int[] o = new int[a.length]; for (int i = 0; i < a.length; i++) o[i] = Math.toIntExact(a[i]); return o; }
        throw wrongType(key, "an array of integers", v);
    }

    public GGUFTensorInfo tensor(String name) {
        GGUFTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new GGUFException(path + " has no tensor '" + name + "' (incomplete or not a supported architecture)");
        }
        return t;
    }

    private Object require(String key) {
        Object v = metadata.get(key);
        if (v == null) throw new GGUFException(path + " lacks the metadata key '" + key + "'");
        return v;
    }

    private GGUFException wrongType(String key, String expected, Object v) {
        return new GGUFException(path + ": metadata '" + key + "' should be " + expected + " but is "
                + (v instanceof Strings ? "String[]" : v.getClass().getSimpleName()));
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Arrays of arrays are legal GGUF but unused; deeper nesting is only a way to overflow the stack. */
    static final int MAX_ARRAY_NESTING = 2;

    /** A bounds-checked cursor: running off the end means the file is truncated. */
    private static final class Reader {
        final MemorySegment seg;
        final Path path;
        final GGUFValidator check;
        long pos;

        Reader(MemorySegment seg, Path path, GGUFValidator check) {
            this.seg = seg;
            this.path = path;
            this.check = check;
        }

        private void need(long n) {
            if (n < 0 || pos + n > seg.byteSize()) {
                throw new GGUFException(path + " is truncated or corrupt: the header needs " + n + " bytes at offset "
                        + pos + " but the file has " + seg.byteSize() + " (re-download or re-convert the model)");
            }
        }

        byte u8() { need(1); byte v = seg.get(U8, pos); pos += 1; return v; }
        short i16() { need(2); short v = seg.get(I16, pos); pos += 2; return v; }
        int i32() { need(4); int v = seg.get(I32, pos); pos += 4; return v; }
        long i64() { need(8); long v = seg.get(I64, pos); pos += 8; return v; }
        float f32() { need(4); float v = seg.get(F32, pos); pos += 4; return v; }
        double f64() { need(8); double v = seg.get(F64, pos); pos += 8; return v; }

        String string() {
            long len = stringLength();
            byte[] b = seg.asSlice(pos, len).toArray(U8);
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        /** A string's length, checked against the file: its bytes follow at {@code pos}. */
        private long stringLength() {
            long len = i64();
            if (len < 0 || len > Integer.MAX_VALUE) {
                throw check.corrupt("string length " + Long.toUnsignedString(len) + " at offset " + (pos - 8));
            }
            need(len);
            return len;
        }

        /** {@link #string}'s checks, without decoding it. */
        void skipString() {
            long len = stringLength(); // not "pos += stringLength()": that adds to pos as it was before the length
            pos += len;
        }

        Object value(int type, String key) {
            return switch (type) {
                case 0 -> (int) (u8() & 0xFF);
                case 1 -> u8();
                case 2 -> (int) (i16() & 0xFFFF);
                case 3 -> i16();
                case 4 -> Integer.toUnsignedLong(i32());
                case 5 -> i32();
                case 6 -> f32();
                case 7 -> u8() != 0;
                case 8 -> string();
                case 9 -> array(key, 0);
                case 10, 11 -> i64();
                case 12 -> f64();
                default -> throw check.corrupt("metadata '" + GGUFValidator.shortName(key) + "' has unknown type " + type);
            };
        }

        Object array(String key, int depth) {
            int elemType = i32();
            if (elemType == 9 && depth >= MAX_ARRAY_NESTING) {
                throw check.corrupt("array '" + GGUFValidator.shortName(key) + "' nests arrays more than " + MAX_ARRAY_NESTING + " deep");
            }
            long n = i64();
            // every element takes at least this many bytes, so the count is bounded by what is left of
            // the file before anything is allocated
            long minBytes = switch (elemType) {
                case 0, 1, 7 -> 1;
                case 2, 3 -> 2;
                case 4, 5, 6 -> 4;
                case 8, 10, 11, 12 -> 8;
                case 9 -> 4 + 8;
                default -> throw check.corrupt("array '" + GGUFValidator.shortName(key) + "' has unknown element type " + elemType);
            };
            if (n < 0 || n > (seg.byteSize() - pos) / minBytes || n > Integer.MAX_VALUE - 8) {
                throw check.truncatedOrCorrupt("array '" + GGUFValidator.shortName(key) + "' claims " + Long.toUnsignedString(n) + " elements but only "
                        + (seg.byteSize() - pos) + " bytes are left");
            }
            int len = (int) n;
            switch (elemType) {
                case 0, 1 -> { need(n); byte[] a = seg.asSlice(pos, n).toArray(U8); pos += n;
                    if (elemType == 0) { int[] w = new int[len]; for (int i = 0; i < len; i++) w[i] = a[i] & 0xFF; return w; }
                    return a; }
                case 2 -> { int[] a = new int[len]; for (int i = 0; i < len; i++) a[i] = i16() & 0xFFFF; return a; }
                case 3 -> { short[] a = new short[len]; for (int i = 0; i < len; i++) a[i] = i16(); return a; }
                case 4, 5 -> { need(4 * n); int[] a = new int[len]; for (int i = 0; i < len; i++) a[i] = i32(); return a; }
                case 6 -> { need(4 * n); float[] a = new float[len]; for (int i = 0; i < len; i++) a[i] = f32(); return a; }
                case 7 -> { boolean[] a = new boolean[len]; for (int i = 0; i < len; i++) a[i] = u8() != 0; return a; }
                case 8 -> {
                    if (depth == 0) {
                        long start = pos;
                        for (int i = 0; i < len; i++) skipString();
                        return new Strings(start, len);
                    }
                    String[] a = new String[len]; for (int i = 0; i < len; i++) a[i] = string(); return a;
                }
                case 10, 11 -> { need(8 * n); long[] a = new long[len]; for (int i = 0; i < len; i++) a[i] = i64(); return a; }
                case 12 -> { need(8 * n); double[] a = new double[len]; for (int i = 0; i < len; i++) a[i] = f64(); return a; }
                case 9 -> { Object[] a = new Object[len]; for (int i = 0; i < len; i++) a[i] = array(key, depth + 1); return a; }
                default -> throw new IllegalStateException("unreachable: element type " + elemType);
            }
        }
    }
}

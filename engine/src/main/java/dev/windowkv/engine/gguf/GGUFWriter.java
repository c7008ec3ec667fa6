package dev.windowkv.engine.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes GGUF v3 files. Metadata types are explicit (llama.cpp checks them: a block count must be
 * uint32, not int32). Tensor bytes are produced lazily, one tensor at a time, so multi-GB random
 * models can be written without holding them all in memory.
 */
public final class GGUFWriter {
    private record Value(int type, Object value) {}
    private record Tensor(String name, long[] dims, GGMLType type, Supplier<byte[]> data, long bytes) {}

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private int alignment = GGUFFile.DEFAULT_ALIGNMENT;

    public GGUFWriter putString(String key, String v) { return put(key, 8, v); }
    public GGUFWriter putU8(String key, int v) { return put(key, 0, v); }
    public GGUFWriter putU32(String key, int v) { return put(key, 4, v); }
    public GGUFWriter putI32(String key, int v) { return put(key, 5, v); }
    public GGUFWriter putU64(String key, long v) { return put(key, 10, v); }
    public GGUFWriter putF32(String key, float v) { return put(key, 6, v); }
    public GGUFWriter putBool(String key, boolean v) { return put(key, 7, v); }
    public GGUFWriter putStringArray(String key, String[] v) { return put(key, 9, new Value(8, v)); }
    public GGUFWriter putF32Array(String key, float[] v) { return put(key, 9, new Value(6, v)); }
    public GGUFWriter putI32Array(String key, int[] v) { return put(key, 9, new Value(5, v)); }
    public GGUFWriter putU32Array(String key, int[] v) { return put(key, 9, new Value(4, v)); }

    public GGUFWriter alignment(int alignment) {
        this.alignment = alignment;
        return putU32("general.alignment", alignment);
    }

    private GGUFWriter put(String key, int type, Object v) {
        metadata.put(key, new Value(type, v));
        return this;
    }

    /** Adds a tensor; {@code dims[0]} is the row length (ggml order). */
    public GGUFWriter addTensor(String name, long[] dims, GGMLType type, byte[] data) {
        return addTensor(name, dims, type, () -> data);
    }

    public GGUFWriter addTensor(String name, long[] dims, GGMLType type, Supplier<byte[]> data) {
        long elements = 1;
        for (long d : dims) elements *= d;
        tensors.add(new Tensor(name, dims.clone(), type, data, type.byteSize(elements)));
        return this;
    }

    public void write(Path path) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (OutputStream raw = Files.newOutputStream(path); Out out = new Out(new BufferedOutputStream(raw, 1 << 20))) {
                out.i32(GGUFFile.MAGIC);
                out.i32(3);
                out.i64(tensors.size());
                out.i64(metadata.size());
                for (Map.Entry<String, Value> e : metadata.entrySet()) {
                    out.string(e.getKey());
                    out.i32(e.getValue().type);
                    writeValue(out, e.getValue().type, e.getValue().value);
                }
                long offset = 0;
                for (Tensor t : tensors) {
                    out.string(t.name);
                    out.i32(t.dims.length);
                    for (long d : t.dims) out.i64(d);
                    out.i32(t.type.id);
                    out.i64(offset);
                    offset = GGUFFile.align(offset + t.bytes, alignment);
                }
                out.pad(alignment);
                for (Tensor t : tensors) {
                    byte[] bytes = t.data.get();
                    if (bytes.length != t.bytes) {
                        throw new IllegalArgumentException("tensor " + t.name + ": " + bytes.length + " bytes given, "
                                + t.bytes + " expected for " + t.type);
                    }
                    out.bytes(bytes);
                    out.pad(alignment);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeValue(Out out, int type, Object v) throws IOException {
        switch (type) {
            case 0 -> out.u8(((Number) v).intValue());
            case 4, 5 -> out.i32(((Number) v).intValue());
            case 6 -> out.f32(((Number) v).floatValue());
            case 7 -> out.u8((Boolean) v ? 1 : 0);
            case 8 -> out.string((String) v);
            case 10, 11 -> out.i64(((Number) v).longValue());
            case 9 -> {
                Value arr = (Value) v;
                out.i32(arr.type);
                switch (arr.type) {
                    case 8 -> { String[] a = (String[]) arr.value; out.i64(a.length); for (String s : a) out.string(s); }
                    case 6 -> { float[] a = (float[]) arr.value; out.i64(a.length); for (float f : a) out.f32(f); }
                    case 4, 5 -> { int[] a = (int[]) arr.value; out.i64(a.length); for (int x : a) out.i32(x); }
                    default -> throw new IllegalArgumentException("array type " + arr.type);
                }
            }
            default -> throw new IllegalArgumentException("metadata type " + type);
        }
    }

    private static final class Out implements AutoCloseable {
        final OutputStream os;
        final ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long pos;

        Out(OutputStream os) { this.os = os; }

        void u8(int v) throws IOException { os.write(v); pos++; }
        void i32(int v) throws IOException { buf.clear(); buf.putInt(v); os.write(buf.array(), 0, 4); pos += 4; }
        void i64(long v) throws IOException { buf.clear(); buf.putLong(v); os.write(buf.array(), 0, 8); pos += 8; }
        void f32(float v) throws IOException { i32(Float.floatToRawIntBits(v)); }
        void bytes(byte[] b) throws IOException { os.write(b); pos += b.length; }
        void string(String s) throws IOException { byte[] b = s.getBytes(StandardCharsets.UTF_8); i64(b.length); bytes(b); }
        void pad(int alignment) throws IOException { while (pos % alignment != 0) u8(0); }

        @Override
        public void close() throws IOException { os.close(); }
    }
}

package dev.windowkv.engine.testutil;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each field of a valid GGUF file's header lies, read independently of the engine's reader,
 * so tests can patch one field (a count, a type id, a dimension, an offset) in place and see what
 * the reader makes of it.
 */
public final class GGUFLayout {
    /** A metadata entry: where its key's length, its type id and its value start. */
    public record Entry(String key, int keyAt, int typeAt, int valueAt, int type) {}

    /** A tensor-table entry: where its name's length, dimension count, dimensions, type id and offset lie. */
    public record TensorField(String name, int nameAt, int nDimsAt, int[] dimAt, int typeAt, int offsetAt) {}

    public static final int TENSOR_COUNT_AT = 8;
    public static final int KV_COUNT_AT = 16;

    public final Map<String, Entry> metadata = new LinkedHashMap<>();
    public final List<TensorField> tensors = new ArrayList<>();
    /** The end of the tensor table (before the padding to the data section). */
    public final int headerEnd;

    public GGUFLayout(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long nTensors = b.getLong(TENSOR_COUNT_AT);
        long nKv = b.getLong(KV_COUNT_AT);
        b.position(24);
        for (long i = 0; i < nKv; i++) {
            int keyAt = b.position();
            String key = string(b);
            int typeAt = b.position();
            int type = b.getInt();
            int valueAt = b.position();
            skipValue(b, type);
            metadata.put(key, new Entry(key, keyAt, typeAt, valueAt, type));
        }
        for (long i = 0; i < nTensors; i++) {
            int nameAt = b.position();
            String name = string(b);
            int nDimsAt = b.position();
            int nDims = b.getInt();
            int[] dimAt = new int[nDims];
            for (int d = 0; d < nDims; d++) {
                dimAt[d] = b.position();
                b.getLong();
            }
            int typeAt = b.position();
            b.getInt();
            int offsetAt = b.position();
            b.getLong();
            tensors.add(new TensorField(name, nameAt, nDimsAt, dimAt, typeAt, offsetAt));
        }
        headerEnd = b.position();
    }

    public TensorField tensor(String name) {
        for (TensorField t : tensors) if (t.name().equals(name)) return t;
        throw new IllegalArgumentException("no tensor " + name);
    }

    public Entry entry(String key) {
        Entry e = metadata.get(key);
        if (e == null) throw new IllegalArgumentException("no key " + key);
        return e;
    }

    private static String string(ByteBuffer b) {
        int n = Math.toIntExact(b.getLong());
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static void skipValue(ByteBuffer b, int type) {
        switch (type) {
            case 0, 1, 7 -> b.get();
            case 2, 3 -> b.getShort();
            case 4, 5, 6 -> b.getInt();
            case 10, 11, 12 -> b.getLong();
            case 8 -> string(b);
            case 9 -> {
                int elem = b.getInt();
                long n = b.getLong();
                for (long i = 0; i < n; i++) skipValue(b, elem);
            }
            default -> throw new IllegalArgumentException("type " + type);
        }
    }

    /** Little-endian patches. */
    public static void putInt(byte[] file, int at, int v) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    }

    public static void putLong(byte[] file, int at, long v) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
    }

    public static void putFloat(byte[] file, int at, float v) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, v);
    }

    public static long getLong(byte[] file, int at) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(at);
    }

    public static int getInt(byte[] file, int at) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }
}

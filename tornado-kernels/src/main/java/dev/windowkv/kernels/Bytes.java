package dev.windowkv.kernels;

/** Little-endian reads from a byte array, as GGUF stores everything. */
public final class Bytes {
    private Bytes() {}

    /** Unsigned 16-bit value (an f16/bf16 bit pattern) at {@code off}. */
    public static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | ((b[off + 1] & 0xff) << 8);
    }

    public static short i16(byte[] b, int off) {
        return (short) u16(b, off);
    }

    public static int i32(byte[] b, int off) {
        return (b[off] & 0xff) | ((b[off + 1] & 0xff) << 8) | ((b[off + 2] & 0xff) << 16) | (b[off + 3] << 24);
    }

    public static float f32(byte[] b, int off) {
        return Float.intBitsToFloat(i32(b, off));
    }
}

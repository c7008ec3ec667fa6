package dev.windowkv.kernels;

/** Little-endian reads from a byte array, as GGUF stores everything. */
public final class Bytes {
    private Bytes() {}

    /**
     * Unsigned byte at {@code off}, widened through float on purpose: TornadoVM 5.2.0's OpenCL
     * lowering of a {@code byte[]} load ({@code OCLLoweringProvider.lowerLoadIndexedNode}) drops
     * the sign extension to int, so {@code b[off] & 0xff}, {@code b[off] << 8} and the like are
     * computed in an 8-bit {@code char} there (a shift by 8 even folds to 0). A byte-to-float
     * conversion is the one use it compiles right, and {@code b + 256} is exact in a float, so the
     * result is the same bits as {@code b[off] & 0xff} on every backend. KernelSubset holds every
     * other byte read to a float conversion.
     */
    public static int u8(byte[] b, int off) {
        return (int) (b[off] + 256f) & 0xff;
    }

    /** Unsigned 16-bit value (an f16/bf16 bit pattern) at {@code off}. */
    public static int u16(byte[] b, int off) {
        return u8(b, off) | (u8(b, off + 1) << 8);
    }

    public static short i16(byte[] b, int off) {
        return (short) u16(b, off);
    }

    public static int i32(byte[] b, int off) {
        return u8(b, off) | (u8(b, off + 1) << 8) | (u8(b, off + 2) << 16) | (u8(b, off + 3) << 24);
    }

    public static float f32(byte[] b, int off) {
        return Float.intBitsToFloat(i32(b, off));
    }
}

package dev.windowkv.kernels.quant;

/** Helpers to spell out blocks in tests. */
final class Blocks {
    private Blocks() {}

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    /** A block placed at offset 3 of a larger array, so that offsets are exercised. */
    static byte[] atOffset3(byte[] block) {
        byte[] w = new byte[block.length + 3 + 5];
        System.arraycopy(block, 0, w, 3, block.length);
        return w;
    }

    static float sum(float[] v) {
        double s = 0;
        for (float f : v) s += f;
        return (float) s;
    }

    static float[] ones(int n) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, 1f);
        return x;
    }
}

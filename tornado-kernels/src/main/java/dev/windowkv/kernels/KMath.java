package dev.windowkv.kernels;

/**
 * The only math the kernels use. Each method maps one-to-one onto a TornadoMath intrinsic,
 * so a kernel that calls KMath compiles for OpenCL/PTX unchanged.
 */
public final class KMath {
    private KMath() {}

    public static float exp(float x) { return (float) Math.exp(x); }
    public static float sqrt(float x) { return (float) Math.sqrt(x); }
    public static float max(float a, float b) { return Math.max(a, b); }
    public static float min(float a, float b) { return Math.min(a, b); }
    public static int max(int a, int b) { return Math.max(a, b); }
    public static int min(int a, int b) { return Math.min(a, b); }
    public static float abs(float x) { return Math.abs(x); }
    public static float cos(float x) { return (float) Math.cos(x); }
    public static float sin(float x) { return (float) Math.sin(x); }
    public static float pow(float x, float y) { return (float) Math.pow(x, y); }
    public static float log(float x) { return (float) Math.log(x); }
}

package dev.windowkv.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BytesTest {
    @Test
    void littleEndian() {
        byte[] b = {(byte) 0xAA, 0x00, 0x3C, 0x78, 0x56, 0x34, (byte) 0x92, 0x00, 0x00, (byte) 0x80, 0x3F};
        assertEquals(0x3C00, Bytes.u16(b, 1));
        assertEquals((short) 0x3C00, Bytes.i16(b, 1));
        assertEquals((short) 0x9234, Bytes.i16(b, 5));
        assertEquals(0x9234, Bytes.u16(b, 5));
        assertEquals(0x92345678, Bytes.i32(b, 3));
        assertEquals(1.0f, Bytes.f32(b, 7));
    }

    @Test
    void u8IsTheUnsignedByteForEveryValue() {
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) b[i] = (byte) i;
        for (int i = 0; i < 256; i++) assertEquals(i, Bytes.u8(b, i));
    }
}

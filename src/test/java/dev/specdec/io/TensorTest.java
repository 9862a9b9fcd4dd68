package dev.specdec.io;

import dev.specdec.SpecdecException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TensorTest {
    @TempDir
    Path dir;
    private SafetensorsFile file;

    @AfterEach
    void unmap() {
        if (file != null) {
            file.close();
        }
    }

    @Test
    void readsF32() {
        float[] expected = {1.5f, -2.25f, 0f, 3e-3f, Float.MIN_VALUE, -Float.MAX_VALUE};
        Tensor tensor = single(new SafetensorsWriter().addF32("w", new long[] {2, 3}, expected));
        assertEquals(6, tensor.elementCount());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], tensor.getFloat(i));
        }
        float[] dst = new float[8];
        tensor.readFloats(2, dst, 1, 4);
        assertArrayEquals(new float[] {0f, 0f, 3e-3f, Float.MIN_VALUE, -Float.MAX_VALUE, 0f, 0f, 0f}, dst);
        assertArrayEquals(expected, tensor.toFloatArray());
    }

    @Test
    void readsF16BitPatterns() {
        // 1.5, -2.0, 1.0, largest finite 65504, smallest subnormal 2^-24, +infinity
        Tensor tensor = single(new SafetensorsWriter().addHalf("w", "F16", new long[] {6},
                0x3E00, 0xC000, 0x3C00, 0x7BFF, 0x0001, 0x7C00));
        float[] expected = {1.5f, -2.0f, 1.0f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], tensor.getFloat(i), "element " + i);
        }
        float[] dst = new float[6];
        tensor.readFloats(0, dst, 0, 6);
        assertArrayEquals(expected, dst);
    }

    @Test
    void readsBf16BitPatterns() {
        // 1.5, -2.25, 1.0, smallest subnormal 2^-133, -infinity
        Tensor tensor = single(new SafetensorsWriter().addHalf("w", "BF16", new long[] {5},
                0x3FC0, 0xC010, 0x3F80, 0x0001, 0xFF80));
        float[] expected = {1.5f, -2.25f, 1.0f, 0x1p-133f, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], tensor.getFloat(i), "element " + i);
        }
        float[] dst = new float[3];
        tensor.readFloats(2, dst, 0, 3);
        assertArrayEquals(new float[] {1.0f, 0x1p-133f, Float.NEGATIVE_INFINITY}, dst);
    }

    @Test
    void readFloatsChecksBounds() {
        Tensor tensor = single(new SafetensorsWriter().addF32("w", new long[] {2}, 1f, 2f));
        assertThrows(IndexOutOfBoundsException.class, () -> tensor.readFloats(1, new float[4], 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> tensor.readFloats(0, new float[1], 0, 2));
    }

    @Test
    void requireShapeReturnsTheTensorWhenShapesMatch() {
        Tensor tensor = single(new SafetensorsWriter().addF32("w", new long[] {1, 2}, 1f, 2f));
        assertSame(tensor, tensor.requireShape(1, 2));
    }

    @Test
    void requireShapeNamesFileTensorAndBothShapes() {
        Tensor tensor = single(new SafetensorsWriter().addF32("h.0.attn.c_attn.weight", new long[] {2, 6},
                new float[12]));
        SpecdecException e = assertThrows(SpecdecException.class, () -> tensor.requireShape(2, 3));
        assertEquals(dir.resolve("m.safetensors") + ": tensor h.0.attn.c_attn.weight has shape [2, 6] but"
                + " config.json implies [2, 3]; the checkpoint does not match its config.json", e.getMessage());
    }

    @Test
    void shapeIsACopy() {
        Tensor tensor = single(new SafetensorsWriter().addF32("w", new long[] {2}, 1f, 2f));
        tensor.shape()[0] = 5;
        assertArrayEquals(new long[] {2}, tensor.shape());
    }

    private Tensor single(SafetensorsWriter writer) {
        file = SafetensorsFile.open(writer.write(dir.resolve("m.safetensors")));
        TensorInfo info = file.tensors().get(file.tensors().keySet().iterator().next());
        return new Tensor(info.name(), file.path(), info.dtype(), info.shape(), file.data(info));
    }
}

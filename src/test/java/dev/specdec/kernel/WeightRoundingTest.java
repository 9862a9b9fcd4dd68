package dev.specdec.kernel;

import dev.specdec.model.WeightFormat;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The conversions of each format at their edges: ties, subnormals, signs, range, empty blocks. */
class WeightRoundingTest {

    private static final Parallel ONE = new Parallel(1);

    @Test
    void bf16RoundsToNearestWithTiesToEven() {
        assertEquals(1f, Bf16Matrix.widen(Bf16Matrix.round(1 + 0x1p-8f)), "tie down to even");
        assertEquals(1 + 0x1p-6f, Bf16Matrix.widen(Bf16Matrix.round(1 + 3 * 0x1p-8f)), "tie up to even");
        assertEquals(1 + 0x1p-7f, Bf16Matrix.widen(Bf16Matrix.round(1 + 0x1p-8f + 0x1p-20f)), "above the tie");
        assertEquals(-2f, Bf16Matrix.widen(Bf16Matrix.round(-1.99999f)));
        assertTrue(Float.isNaN(Bf16Matrix.widen(Bf16Matrix.round(Float.NaN))), "NaN stays NaN");
        Random random = new Random(3);
        for (int k = 0; k < 100_000; k++) {
            float v = Float.intBitsToFloat(random.nextInt());
            if (!Float.isNaN(v)) {
                assertEquals(ScalarReference.toBf16(v), Bf16Matrix.widen(Bf16Matrix.round(v)), "bits of " + v);
            }
        }
    }

    @Test
    void f16KernelWidensEveryFiniteHalfExactly() {
        float[] halves = new float[0x7C00 * 2];
        int n = 0;
        for (int bits = 0; bits < 0x7C00; bits++) {
            halves[n++] = Float.float16ToFloat((short) bits);
            halves[n++] = Float.float16ToFloat((short) (bits | 0x8000));
        }
        float[][] y = new float[1][n];
        WeightMatrix m = WeightFormat.F16.pack(PanelSource.rowMajor(halves, 1, n), 1, n, ONE);
        m.multiply(ONE, new float[][] {{1f}}, 1, null, y);
        for (int j = 0; j < n; j++) {
            // x * w + 0 turns -0 into +0; every other value must come back bit for bit.
            float expected = halves[j] == 0 ? 0f : halves[j];
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(y[0][j]),
                    "half " + Integer.toHexString(Float.floatToFloat16(halves[j]) & 0xFFFF));
        }
    }

    @Test
    void f16RefusesWeightsBeyondItsRange() {
        float[] w = {1f, 65504f, -70000f, 2f};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightFormat.F16.pack(PanelSource.rowMajor(w, 2, 2), 2, 2, ONE));
        assertTrue(e.getMessage().contains("[1][0]") && e.getMessage().contains("65504"), e.getMessage());
    }

    @Test
    void q8BlockScaleIsTheLargestMagnitudeOver127() {
        float[] values = new float[Q8Matrix.BLOCK];
        for (int k = 0; k < values.length; k++) {
            values[k] = (k - 10) * 0.5f;
        }
        byte[] quants = new byte[Q8Matrix.BLOCK];
        float scale = Q8Matrix.quantise(values, 0, 1, values.length, quants, 0);
        float largest = (Q8Matrix.BLOCK - 11) * 0.5f;
        assertEquals(largest / 127, scale);
        assertEquals(127, quants[Q8Matrix.BLOCK - 1]);
        assertEquals(0, quants[10]);
        for (int k = 0; k < values.length; k++) {
            assertEquals(values[k], quants[k] * scale, scale / 2, "weight " + k);
        }
    }

    @Test
    void q8AllZeroBlockHasZeroScaleAndGivesZeros() {
        byte[] quants = new byte[Q8Matrix.BLOCK];
        assertEquals(0f, Q8Matrix.quantise(new float[Q8Matrix.BLOCK], 0, 1, Q8Matrix.BLOCK, quants, 0));
        assertArrayEquals(new byte[Q8Matrix.BLOCK], quants);
        float[][] y = {{Float.NaN, Float.NaN}};
        WeightFormat.Q8_0.pack(PanelSource.rowMajor(new float[6], 3, 2), 3, 2, ONE)
                .multiply(ONE, new float[][] {{1, 2, 3}}, 1, null, y);
        assertArrayEquals(new float[] {0, 0}, y[0]);
    }
}

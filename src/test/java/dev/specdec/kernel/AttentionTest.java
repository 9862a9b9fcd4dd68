package dev.specdec.kernel;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Attention over the transposed key cache against a scalar softmax(q k / sqrt(d)) v. */
class AttentionTest {

    private static final int HEADS = 3;
    /** Not a multiple of the vector lanes, so the masked tail of the value loop runs. */
    private static final int HEAD_SIZE = 20;
    private static final int WIDTH = HEADS * HEAD_SIZE;
    private static final int POSITIONS = 2 * PanelLayout.WIDTH + 7;
    private static final int CAPACITY = 3 * PanelLayout.WIDTH;

    private final Random random = new Random(23);
    private final float[][] keys = WeightMatrixTest.rows(random, POSITIONS, WIDTH);
    private final float[][] values = WeightMatrixTest.rows(random, POSITIONS, WIDTH);
    private final float[] kT = new float[WIDTH * CAPACITY];
    private final float[] v = new float[WIDTH * CAPACITY];

    AttentionTest() {
        // Slots past the positions attended must never reach the output.
        Arrays.fill(kT, Float.NaN);
        Arrays.fill(v, Float.NaN);
        for (int t = 0; t < POSITIONS; t++) {
            for (int j = 0; j < WIDTH; j++) {
                kT[j * CAPACITY + t] = keys[t][j];
                v[t * WIDTH + j] = values[t][j];
            }
        }
    }

    @Test
    void matchesTheScalarReferenceAtEveryPosition() {
        float[] scores = new float[CAPACITY];
        for (int pos = 0; pos < POSITIONS; pos++) {
            float[] q = WeightMatrixTest.gaussian(random, WIDTH, 1f);
            float[] out = new float[WIDTH];
            Attention.attend(q, kT, v, HEAD_SIZE, CAPACITY, pos, scores, out, 0, HEADS);
            double[] expected = ScalarReference.attention(q, keys, values, HEADS, HEAD_SIZE, pos);
            for (int j = 0; j < WIDTH; j++) {
                assertEquals(expected[j], out[j], 2e-5, "position " + pos + ", output " + j);
            }
        }
    }

    @Test
    void eachHeadGivesTheSameBitsWhateverHeadRangeComputesIt() {
        float[] scores = new float[CAPACITY];
        int pos = POSITIONS - 1;
        float[] q = WeightMatrixTest.gaussian(random, WIDTH, 1f);
        float[] together = new float[WIDTH];
        Attention.attend(q, kT, v, HEAD_SIZE, CAPACITY, pos, scores, together, 0, HEADS);
        float[] apart = new float[WIDTH];
        for (int h = HEADS - 1; h >= 0; h--) {
            Attention.attend(q, kT, v, HEAD_SIZE, CAPACITY, pos, scores, apart, h, h + 1);
        }
        assertArrayEquals(together, apart);
    }

    @Test
    void theFirstPositionAttendsOnlyToItself() {
        float[] out = new float[WIDTH];
        Attention.attend(WeightMatrixTest.gaussian(random, WIDTH, 5f), kT, v, HEAD_SIZE, CAPACITY, 0,
                new float[CAPACITY], out, 0, HEADS);
        assertArrayEquals(values[0], out);
    }
}

package dev.specdec.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attention over the transposed key cache against a scalar softmax(q k / sqrt(d)) v, for a head
 * size below one group of four vectors (masked lanes only) and one above it (80 = a full group of
 * 64 plus a rest with AVX-512).
 */
class AttentionTest {

    private static final int HEADS = 3;
    private static final int POSITIONS = 2 * PanelLayout.WIDTH + 7;
    private static final int CAPACITY = 3 * PanelLayout.WIDTH;

    /** A layer's cache filled with random keys and values; slots past the positions hold NaN. */
    private static final class Cache {
        final int headSize;
        final int width;
        final Random random;
        final float[][] keys;
        final float[][] values;
        final float[] kT;
        final float[] v;

        Cache(int headSize) {
            this.headSize = headSize;
            this.width = HEADS * headSize;
            this.random = new Random(headSize);
            this.keys = WeightMatrixTest.rows(random, POSITIONS, width);
            this.values = WeightMatrixTest.rows(random, POSITIONS, width);
            this.kT = new float[width * CAPACITY];
            this.v = new float[width * CAPACITY];
            // Slots past the positions attended must never reach the output.
            Arrays.fill(kT, Float.NaN);
            Arrays.fill(v, Float.NaN);
            for (int t = 0; t < POSITIONS; t++) {
                for (int j = 0; j < width; j++) {
                    kT[j * CAPACITY + t] = keys[t][j];
                    v[t * width + j] = values[t][j];
                }
            }
        }

        float[] attend(float[] q, int pos, int headFrom, int headTo, float[] out) {
            Attention.attend(q, kT, v, headSize, CAPACITY, pos, new float[CAPACITY], out, headFrom, headTo);
            return out;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {20, 80})
    void matchesTheScalarReferenceAtEveryPosition(int headSize) {
        Cache cache = new Cache(headSize);
        for (int pos = 0; pos < POSITIONS; pos++) {
            float[] q = WeightMatrixTest.gaussian(cache.random, cache.width, 1f);
            float[] out = cache.attend(q, pos, 0, HEADS, new float[cache.width]);
            double[] expected = ScalarReference.attention(q, cache.keys, cache.values, HEADS, headSize, pos);
            for (int j = 0; j < cache.width; j++) {
                assertEquals(expected[j], out[j], 2e-5, "head size " + headSize + ", position " + pos + ", output " + j);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {20, 80})
    void eachHeadGivesTheSameBitsWhateverHeadRangeComputesIt(int headSize) {
        Cache cache = new Cache(headSize);
        int pos = POSITIONS - 1;
        float[] q = WeightMatrixTest.gaussian(cache.random, cache.width, 1f);
        float[] together = cache.attend(q, pos, 0, HEADS, new float[cache.width]);
        float[] apart = new float[cache.width];
        for (int h = HEADS - 1; h >= 0; h--) {
            cache.attend(q, pos, h, h + 1, apart);
        }
        assertArrayEquals(together, apart);
    }

    @ParameterizedTest
    @ValueSource(ints = {20, 80})
    void theFirstPositionAttendsOnlyToItself(int headSize) {
        Cache cache = new Cache(headSize);
        float[] out = cache.attend(WeightMatrixTest.gaussian(cache.random, cache.width, 5f), 0, 0, HEADS,
                new float[cache.width]);
        assertArrayEquals(cache.values[0], out);
    }
}

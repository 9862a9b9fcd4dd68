package dev.specdec.decode;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vector argmax against the plain loop: first index of the largest value, NaN skipped. */
class LogitsWarperArgmaxTest {

    private static int reference(float[] x, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void matchesTheLoopOnRandomRowsOfEveryLengthAroundTheVectorWidth() {
        Random random = new Random(4);
        for (int n = 1; n <= 70; n++) {
            for (int trial = 0; trial < 20; trial++) {
                float[] x = new float[n + 3];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                x[n] = 1e9f; // beyond n: must be ignored
                assertEquals(reference(x, n), LogitsWarper.argmax(x, n), "n=" + n + " " + Arrays.toString(x));
            }
        }
    }

    @Test
    void tiesGoToTheLowestIndexAnywhereInTheRow() {
        int n = 50257;
        for (int[] at : new int[][] {{5, 40000}, {50250, 50256}, {0, 16}, {17, 18}, {31, 50240}}) {
            float[] x = new float[n];
            Arrays.fill(x, -3f);
            x[at[0]] = 7f;
            x[at[1]] = 7f;
            assertEquals(at[0], LogitsWarper.argmax(x, n), Arrays.toString(at));
        }
    }

    @Test
    void prunedRowsOfMinusInfinityAndAllEqualRows() {
        int n = 50257;
        float[] x = new float[n];
        Arrays.fill(x, Float.NEGATIVE_INFINITY);
        assertEquals(0, LogitsWarper.argmax(x, n));
        x[30000] = -50f;
        x[49999] = -60f;
        assertEquals(30000, LogitsWarper.argmax(x, n));
        Arrays.fill(x, 2.5f);
        assertEquals(0, LogitsWarper.argmax(x, n));
    }

    @Test
    void nanIsSkippedAsTheLoopSkipsIt() {
        float[] x = {1f, Float.NaN, 3f, 2f, Float.NaN, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 5f, 0f};
        assertEquals(reference(x, x.length), LogitsWarper.argmax(x, x.length));
        assertEquals(18, LogitsWarper.argmax(x, x.length));
    }
}

package dev.specdec.decode;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vector softmax against a double-precision reference, with -infinity and far-below-top logits. */
class LogitsWarperSoftmaxTest {

    private static double[] reference(float[] x, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(x[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static void requireClose(float[] logits, int n, String what) {
        double[] expected = reference(logits, n);
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[i]);
        }
        float[] p = Arrays.copyOf(logits, logits.length);
        LogitsWarper.softmax(p, n);
        double total = 0;
        for (int i = 0; i < n; i++) {
            // The gap to the top is rounded to float (half an ulp of error in the exponent), then the
            // exponential and the normalisation add a few float roundings.
            double gapError = Float.isFinite(logits[i]) ? Math.ulp(logits[i] - max) / 2 : 0;
            assertEquals(expected[i], p[i], (gapError + 1e-6) * expected[i] + 1e-12, what + ", token " + i);
            total += p[i];
        }
        assertEquals(1.0, total, 1e-5, what + ": sum");
        for (int i = n; i < logits.length; i++) {
            assertEquals(logits[i], p[i], what + ": beyond n untouched");
        }
    }

    @Test
    void matchesDoublePrecisionOnRowsOfEveryLengthAroundTheVectorWidth() {
        Random random = new Random(8);
        for (int n = 1; n <= 70; n++) {
            float[] x = new float[n + 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (random.nextGaussian() * 6);
            }
            requireClose(x, n, "n=" + n);
        }
    }

    @Test
    void matchesDoublePrecisionOnAGpt2SizedRowWithPrunedTokens() {
        Random random = new Random(9);
        int n = 50257;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 7 == 0 ? Float.NEGATIVE_INFINITY : (float) (random.nextGaussian() * 8);
        }
        requireClose(x, n, "50257 tokens");
        float[] p = x.clone();
        LogitsWarper.softmax(p, n);
        for (int i = 0; i < n; i += 7) {
            assertEquals(0f, p[i], "token " + i + " has -infinity logit");
        }
    }

    @Test
    void tokensFarBelowTheTopKeepTheFloat32ExponentialOfTheirGap() {
        float[] x = new float[40];
        Arrays.fill(x, -200f);
        x[3] = 0f;
        x[17] = -95f;   // e^-95 is subnormal in float32: still a possible token
        x[33] = -110f;  // e^-110 underflows to 0 in float32
        LogitsWarper.softmax(x, 40);
        assertEquals((float) Math.exp(-95.0), x[17] / x[3]);
        assertTrue(x[17] > 0);
        assertEquals(0f, x[33]);
        assertEquals(0f, x[0]);
        assertEquals(1f, x[3], 1e-6f);
    }
}

package dev.specdec.decode;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The top-p filter sorts only the tokens that can survive; on GPT-2-sized vocabularies it must keep
 * exactly the tokens a full ascending sort keeps (transformers' rule, written out here).
 */
class LogitsWarperTopPTest {

    @ParameterizedTest
    @CsvSource({"0.5, 1", "0.9, 1", "0.95, 3", "0.99, 3", "0.9, 8", "0.5, 8", "0.999, 0.3", "0.2, 0.3"})
    void keepsExactlyWhatAFullSortKeeps(double topP, double spread) {
        int n = 50257;
        for (int seed = 0; seed < 10; seed++) {
            Random random = new Random(seed);
            float[] logits = new float[n];
            for (int i = 0; i < n; i++) {
                logits[i] = (float) (random.nextGaussian() * spread);
            }
            float[] fast = new float[n];
            new LogitsWarper(1.0, 0, topP).probabilities(logits, n, fast);
            float[] reference = fullSortTopP(logits, topP);
            assertArrayEquals(reference, fast, "top-p " + topP + ", spread " + spread + ", seed " + seed);
            long kept = Arrays.stream(box(fast)).filter(p -> p > 0).count();
            assertTrue(kept >= 1 && kept <= n);
        }
    }

    private static float[] fullSortTopP(float[] logits, double topP) {
        int n = logits.length;
        float[] probs = logits.clone();
        LogitsWarper.softmax(probs, n);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> probs[a] != probs[b] ? Float.compare(probs[a], probs[b]) : Integer.compare(a, b));
        double cumulative = 0;
        for (int j = 0; j < n - 1; j++) {
            cumulative += probs[order[j]];
            if (cumulative > 1.0 - topP) {
                break;
            }
            probs[order[j]] = 0;
        }
        LogitsWarper.normalize(probs, n);
        return probs;
    }

    private static double[] box(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}

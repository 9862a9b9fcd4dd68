package dev.specdec.decode;

import dev.specdec.UsageException;
import dev.specdec.kernel.Parallel;
import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.KvCache;
import dev.specdec.model.WeightFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A confidence threshold ends a greedy draft right after the first token whose plain-softmax
 * probability is below it; the expected lengths come from the draft model's own logits, run step
 * by step outside the drafter.
 */
class ModelDrafterConfidenceTest {

    private static final int K = 8;
    private static Gpt2Model model;

    @BeforeAll
    static void load() {
        model = Gpt2Model.load(GoldenFixtures.folder("tiny-1l"), WeightFormat.F32, new Parallel(1));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Greedy tokens and their softmax probabilities, one forward per step. */
    private static double[] greedyConfidences(int[] prompt, int[] tokensOut) {
        KvCache cache = model.newCache();
        float[][] rows = model.forward(prompt, cache);
        float[] logits = rows[rows.length - 1].clone();
        double[] confidence = new double[tokensOut.length];
        for (int i = 0; i < tokensOut.length; i++) {
            int best = 0;
            for (int j = 1; j < logits.length; j++) {
                if (logits[j] > logits[best]) {
                    best = j;
                }
            }
            double sum = 0;
            for (float l : logits) {
                sum += Math.exp((double) l - logits[best]);
            }
            confidence[i] = 1 / sum;
            tokensOut[i] = best;
            logits = model.forward(new int[] {best}, cache)[0].clone();
        }
        return confidence;
    }

    @Test
    void draftEndsAfterTheFirstUnsureToken() {
        SplittableRandom random = new SplittableRandom(3);
        int checkedStops = 0;
        for (int trial = 0; trial < 12; trial++) {
            int[] prompt = random.ints(1 + random.nextInt(10), 0, 300).toArray();
            int[] greedy = new int[K];
            double[] confidence = greedyConfidences(prompt, greedy);
            double[] sorted = confidence.clone();
            Arrays.sort(sorted);
            // A threshold between two observed confidences, so that rounding cannot decide the outcome.
            double threshold = (sorted[K / 2] + sorted[K / 2 - 1]) / 2;
            int expectedLength = K;
            for (int i = 0; i < K; i++) {
                if (confidence[i] < threshold) {
                    expectedLength = i + 1;
                    break;
                }
            }
            Draft draft = new ModelDrafter(model, threshold).propose(prompt, prompt.length, K, null);
            assertArrayEquals(Arrays.copyOf(greedy, expectedLength), draft.tokens(), "trial " + trial);
            assertEquals(expectedLength, draft.distributions().length);
            if (expectedLength < K) {
                checkedStops++;
            }
            assertArrayEquals(greedy, new ModelDrafter(model, 0).propose(prompt, prompt.length, K, null).tokens());
        }
        assertTrue(checkedStops > 0, "no trial stopped early");
    }

    @Test
    void thresholdMustBeAProbabilityBelowOne() {
        assertThrows(UsageException.class, () -> new ModelDrafter(model, 1.0));
        assertThrows(UsageException.class, () -> new ModelDrafter(model, -0.1));
        assertThrows(UsageException.class, () -> new ModelDrafter(model, Double.NaN));
    }
}

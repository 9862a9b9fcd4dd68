package dev.specdec.decode;

import dev.specdec.kernel.Parallel;
import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.PrunedVocabularyModel;
import dev.specdec.model.WeightFormat;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A drafter over a pruned output reads only the scored logits; it must propose what it would propose
 * from the full rows (where every other token is -infinity): the same greedy tokens, the same sampled
 * tokens and distributions, the same early stops.
 */
class ModelDrafterScoredTokensTest {

    /** Every id below 300 that is a multiple of 3 or 7: a subset spread over the vocabulary. */
    private static final int[] KEPT = IntStream.range(0, 300)
            .filter(i -> i % 3 == 0 || i % 7 == 0).toArray();

    @Test
    void greedyDraftsAndEarlyStopsMatchTheFullRows() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"), WeightFormat.Q8_0, new Parallel(2))) {
            PrunedVocabularyModel pruned = model.withOutputVocabulary(KEPT);
            for (double threshold : new double[] {0, 0.05}) {
                ModelDrafter scored = new ModelDrafter(pruned, threshold);
                ModelDrafter full = new ModelDrafter(fullRows(model.withOutputVocabulary(KEPT)), threshold);
                int[] context = Arrays.copyOf(GoldenFixtures.golden("tiny-3l").sequences().get(0).ids(), 64);
                int length = 6;
                for (int step = 0; step < 8; step++) {
                    Draft a = scored.propose(context, length, 4, null);
                    Draft b = full.propose(context, length, 4, null);
                    assertArrayEquals(b.tokens(), a.tokens(), "threshold " + threshold + ", step " + step);
                    for (int token : a.tokens()) {
                        assertTrue(Arrays.binarySearch(KEPT, token) >= 0, "token " + token + " is not scored");
                    }
                    // Keep one drafted token and add one of the verifier's, as a rejection would.
                    context[length] = a.tokens()[0];
                    context[length + 1] = (step * 37) % 300;
                    length += 2;
                }
            }
        }
    }

    @Test
    void sampledDraftsAndTheirDistributionsMatchTheFullRows() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"), WeightFormat.F32, new Parallel(1))) {
            ModelDrafter scored = new ModelDrafter(model.withOutputVocabulary(KEPT));
            ModelDrafter full = new ModelDrafter(fullRows(model.withOutputVocabulary(KEPT)));
            Sampling samplingA = new Sampling(new LogitsWarper(0.9, 40, 0.95), 11);
            Sampling samplingB = new Sampling(new LogitsWarper(0.9, 40, 0.95), 11);
            int[] context = Arrays.copyOf(GoldenFixtures.golden("tiny-3l").sequences().get(0).ids(), 64);
            int length = 5;
            for (int step = 0; step < 6; step++) {
                Draft a = scored.propose(context, length, 3, samplingA);
                Draft b = full.propose(context, length, 3, samplingB);
                assertArrayEquals(b.tokens(), a.tokens(), "step " + step);
                for (int i = 0; i < a.size(); i++) {
                    float[] p = a.distributions()[i];
                    float[] q = b.distributions()[i];
                    for (int id = 0; id < model.vocabSize(); id++) {
                        assertEquals(q[id], p[id], 1e-6, "step " + step + ", position " + i + ", id " + id);
                    }
                }
                context[length] = a.tokens()[0];
                length += 1;
            }
        }
    }

    /**
     * The pruned model seen through full rows only, as the drafter saw every model before: a
     * {@link RecordingModel} passes forwards through and keeps the interface's defaults, so it scores
     * no subset of its own.
     */
    private static CausalLanguageModel fullRows(CausalLanguageModel model) {
        return new RecordingModel(model);
    }
}

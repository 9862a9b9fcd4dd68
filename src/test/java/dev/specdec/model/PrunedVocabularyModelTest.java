package dev.specdec.model;

import dev.specdec.UsageException;
import dev.specdec.kernel.PanelLayout;
import dev.specdec.kernel.Parallel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pruned-vocabulary view computes, for the ids it keeps, the logits transformers computes for the
 * whole model, and -infinity for every other id; its KV cache behaves like the full model's.
 */
class PrunedVocabularyModelTest {

    private static final int[] KEPT = {299, 0, 17, 42, 43, 100, 101, 255, 256, 298, 7};

    @Test
    void keptLogitsMatchTransformersAndTheRestAreMinusInfinity() {
        for (String checkpoint : new String[] {"tiny-3l", "tiny-3l-lmhead"}) {
            try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder(checkpoint), WeightFormat.F32, new Parallel(1))) {
                PrunedVocabularyModel pruned = model.withOutputVocabulary(KEPT);
                GoldenFixtures.Sequence seq = GoldenFixtures.golden(checkpoint).sequences().get(0);
                float[][] rows = pruned.forward(seq.ids(), pruned.newCache());
                boolean[] kept = new boolean[model.vocabSize()];
                for (int id : KEPT) {
                    kept[id] = true;
                }
                for (int i = 0; i < seq.logitPositions().length; i++) {
                    float[] actual = rows[seq.logitPositions()[i]];
                    float[] expected = seq.logits()[i];
                    for (int id = 0; id < model.vocabSize(); id++) {
                        if (kept[id]) {
                            assertEquals(expected[id], actual[id], Gpt2ModelGoldenTest.LOGIT_TOLERANCE,
                                    checkpoint + " position " + seq.logitPositions()[i] + " id " + id);
                        } else {
                            assertEquals(Float.NEGATIVE_INFINITY, actual[id], checkpoint + " id " + id + " is not kept");
                        }
                    }
                }
            }
        }
    }

    @Test
    void keptLogitsEqualTheFullModelsBitForBitAcrossChunksAndRollback() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"), WeightFormat.F32, new Parallel(1))) {
            PrunedVocabularyModel pruned = model.withOutputVocabulary(KEPT);
            int[] ids = GoldenFixtures.golden("tiny-3l").sequences().get(0).ids();
            float[][] full = copy(model.forward(ids, model.newCache()));
            KvCache cache = pruned.newCache();
            pruned.forward(Arrays.copyOf(ids, 5), cache);
            pruned.forward(new int[] {1, 2, 3}, cache);
            cache.truncate(5);
            float[][] rest = pruned.forward(Arrays.copyOfRange(ids, 5, ids.length), cache);
            for (int r = 0; r < rest.length; r++) {
                for (int id : KEPT) {
                    assertEquals(full[5 + r][id], rest[r][id], "position " + (5 + r) + " id " + id);
                }
            }
        }
    }

    @Test
    void forwardLastGivesTheLastRowOfForwardBitForBit() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"), WeightFormat.Q8_0, new Parallel(2))) {
            PrunedVocabularyModel pruned = model.withOutputVocabulary(KEPT);
            int[] ids = GoldenFixtures.golden("tiny-3l").sequences().get(0).ids();
            float[][] all = copy(pruned.forward(ids, pruned.newCache()));
            KvCache cache = pruned.newCache();
            int start = 0;
            for (int size : new int[] {2, 1, 3}) {
                float[] last = pruned.forwardLast(Arrays.copyOfRange(ids, start, start + size), cache);
                start += size;
                assertArrayEquals(all[start - 1], last, "chunk of " + size + " ending at " + start);
            }
        }
    }

    @Test
    void scoredLogitsAreForwardLastsRowAtTheKeptIdsInAscendingOrder() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"), WeightFormat.Q8_0, new Parallel(2))) {
            PrunedVocabularyModel pruned = model.withOutputVocabulary(KEPT);
            int[] sorted = KEPT.clone();
            Arrays.sort(sorted);
            assertArrayEquals(sorted, pruned.scoredTokens());
            assertEquals(null, model.scoredTokens());
            int[] ids = GoldenFixtures.golden("tiny-3l").sequences().get(0).ids();
            KvCache full = pruned.newCache();
            KvCache scored = pruned.newCache();
            int start = 0;
            for (int size : new int[] {3, 1, 2}) {
                int[] chunk = Arrays.copyOfRange(ids, start, start + size);
                float[] row = pruned.forwardLast(chunk, full).clone();
                float[] subset = pruned.forwardLastScored(chunk, scored);
                start += size;
                for (int j = 0; j < sorted.length; j++) {
                    assertEquals(row[sorted[j]], subset[j], "chunk ending at " + start + ", id " + sorted[j]);
                }
                assertEquals(full.length(), scored.length());
            }
        }
    }

    @Test
    void rowsStayMinusInfinityOutsideTheSubsetWhateverWroteTheCacheBefore() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"), WeightFormat.F32, new Parallel(1))) {
            PrunedVocabularyModel pruned = model.withOutputVocabulary(KEPT);
            PrunedVocabularyModel other = model.withOutputVocabulary(new int[] {1, 2, 3});
            int[] ids = GoldenFixtures.golden("tiny-3l").sequences().get(0).ids();
            KvCache cache = pruned.newCache();
            requirePruned(pruned.forward(Arrays.copyOf(ids, 2), cache), KEPT, "first pass");
            requirePruned(new float[][] {pruned.forwardLast(Arrays.copyOfRange(ids, 2, 3), cache)}, KEPT, "forwardLast");
            model.forward(Arrays.copyOfRange(ids, 3, 7), cache);
            requirePruned(pruned.forward(Arrays.copyOfRange(ids, 7, 11), cache), KEPT, "after the full model wrote 4 rows");
            requirePruned(other.forward(Arrays.copyOfRange(ids, 11, 13), cache), new int[] {1, 2, 3}, "another subset");
            requirePruned(pruned.forward(Arrays.copyOfRange(ids, 13, 20), cache), KEPT, "more rows than before");
        }
    }

    private static void requirePruned(float[][] rows, int[] kept, String when) {
        boolean[] isKept = new boolean[rows[0].length];
        for (int id : kept) {
            isKept[id] = true;
        }
        for (int r = 0; r < rows.length; r++) {
            for (int id = 0; id < isKept.length; id++) {
                if (isKept[id]) {
                    assertTrue(Float.isFinite(rows[r][id]), when + ": row " + r + " id " + id + " is kept");
                } else {
                    assertEquals(Float.NEGATIVE_INFINITY, rows[r][id], when + ": row " + r + " id " + id);
                }
            }
        }
    }

    @Test
    void outputLayerShrinksWithTheVocabulary() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"), WeightFormat.F32, new Parallel(1))) {
            PrunedVocabularyModel pruned = model.withOutputVocabulary(KEPT);
            long column = model.config().embeddingSize() * 4L;
            long panel = PanelLayout.WIDTH * column;
            // 300 output columns of 72 floats become 11, each count rounded up to whole column panels.
            long saved = model.weightBytesPerStep() - pruned.weightBytesPerStep();
            long expected = ceilToPanel(300 * column, panel) - ceilToPanel(11 * column, panel);
            assertEquals(expected, saved);
            assertEquals(11, pruned.keptTokens());
        }
    }

    @Test
    void refusesIdsOutsideTheVocabularyAndDuplicates() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-1l"), WeightFormat.F32, new Parallel(1))) {
            assertThrows(UsageException.class, () -> model.withOutputVocabulary(new int[] {1, 300}));
            assertThrows(UsageException.class, () -> model.withOutputVocabulary(new int[] {5, 5}));
            assertThrows(UsageException.class, () -> model.withOutputVocabulary(new int[0]));
        }
    }

    private static long ceilToPanel(long bytes, long panel) {
        return (bytes + panel - 1) / panel * panel;
    }

    private static float[][] copy(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
        }
        return out;
    }
}

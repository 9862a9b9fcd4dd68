package dev.specdec.model;

import dev.specdec.kernel.Parallel;
import dev.specdec.model.GoldenFixtures.Golden;
import dev.specdec.model.GoldenFixtures.Sequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-head layout drafts load in: it sums in another order than the whole-block layout, so it is
 * held to transformers' logits within the golden tolerance, and, like the whole layout, to the same
 * bits whatever the batch split or the number of threads.
 */
class BlockLayoutTest {

    private static Gpt2Model load(String checkpoint, WeightFormat format, int threads, BlockLayout layout) {
        return Gpt2Model.load(GoldenFixtures.folder(checkpoint), format, new Parallel(threads),
                PackedWeightCache.off(), config -> layout);
    }

    @ParameterizedTest
    @FieldSource("dev.specdec.model.GoldenFixtures#CHECKPOINTS")
    void perHeadLogitsMatchTransformersAtEveryPosition(String checkpoint) {
        Golden golden = GoldenFixtures.golden(checkpoint);
        try (Gpt2Model model = load(checkpoint, WeightFormat.F32, 2, BlockLayout.PER_HEAD)) {
            for (Sequence sequence : golden.sequences()) {
                float[][] logits = model.forward(sequence.ids(), model.newCache());
                for (int i = 0; i < sequence.logitPositions().length; i++) {
                    int position = sequence.logitPositions()[i];
                    Gpt2ModelGoldenTest.assertClose(sequence.logits()[i], logits[position],
                            checkpoint + " per head, " + sequence.name() + " position " + position);
                }
            }
        }
    }

    @Test
    void perHeadSumsDifferFromWholeBlocksInTheLastBits() {
        int[] ids = fullContext();
        try (Gpt2Model whole = load("tiny-3l", WeightFormat.F32, 2, BlockLayout.WHOLE);
             Gpt2Model perHead = load("tiny-3l", WeightFormat.F32, 2, BlockLayout.PER_HEAD)) {
            float[][] a = whole.forward(ids, whole.newCache());
            float[][] b = perHead.forward(ids, perHead.newCache());
            boolean differ = false;
            for (int r = 0; r < ids.length && !differ; r++) {
                differ = !Arrays.equals(a[r], b[r]);
            }
            // Otherwise the per-head tests above would not exercise another order of sums at all.
            assertTrue(differ, "the per-head layout computed exactly the whole-block sums");
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void perHeadChunkedForwardsEqualOneBatchedForwardBitForBit(WeightFormat format) {
        int[] ids = fullContext();
        try (Gpt2Model model = load("tiny-3l", format, 2, BlockLayout.PER_HEAD)) {
            float[][] oneShot = copy(model.forward(ids, model.newCache()));
            KvCache cache = model.newCache();
            int start = 0;
            for (int size : new int[] {1, 5, 2, 13, 1, 6, 36}) {
                float[][] logits = model.forward(Arrays.copyOfRange(ids, start, start + size), cache);
                for (int r = 0; r < size; r++) {
                    assertArrayEquals(oneShot[start + r], logits[r], format + ", position " + (start + r));
                }
                start += size;
            }
            assertEquals(ids.length, start);
        }
    }

    @ParameterizedTest
    @EnumSource(BlockLayout.class)
    void theNumberOfThreadsDoesNotChangeABit(BlockLayout layout) {
        int[] ids = fullContext();
        float[][] reference = null;
        for (int threads : new int[] {1, 2, 3, 5}) {
            try (Gpt2Model model = load("tiny-3l", WeightFormat.Q8_0, threads, layout)) {
                float[][] logits = copy(model.forward(ids, model.newCache()));
                if (reference == null) {
                    reference = logits;
                } else {
                    for (int r = 0; r < ids.length; r++) {
                        assertArrayEquals(reference[r], logits[r], layout + ", " + threads + " threads, position " + r);
                    }
                }
            }
        }
    }

    @Test
    void draftsWithSmallBlocksLoadPerHead() {
        Gpt2Config demoDraft = new Gpt2Config(50257, 1024, 256, 4, 4, 1024, 1e-5f, 50256);
        Gpt2Config distilgpt2 = new Gpt2Config(50257, 1024, 768, 6, 12, 3072, 1e-5f, 50256);
        Gpt2Config gpt2 = new Gpt2Config(50257, 1024, 768, 12, 12, 3072, 1e-5f, 50256);
        assertEquals(BlockLayout.PER_HEAD, Gpt2Model.draftLayout(demoDraft));
        assertEquals(BlockLayout.WHOLE, Gpt2Model.draftLayout(distilgpt2));
        assertEquals(BlockLayout.WHOLE, Gpt2Model.draftLayout(gpt2));
        try (Gpt2Model draft = Gpt2Model.loadDraft(GoldenFixtures.folder("tiny-3l"), WeightFormat.F32);
             Gpt2Model perHead = load("tiny-3l", WeightFormat.F32, 2, BlockLayout.PER_HEAD)) {
            int[] ids = fullContext();
            float[][] expected = copy(perHead.forward(ids, perHead.newCache()));
            float[][] actual = draft.forward(ids, draft.newCache());
            for (int r = 0; r < ids.length; r++) {
                assertArrayEquals(expected[r], actual[r], "loadDraft of tiny-3l, position " + r);
            }
        }
    }

    private static int[] fullContext() {
        return GoldenFixtures.golden("tiny-3l").sequences().stream()
                .filter(s -> s.name().equals("full-context")).findFirst().orElseThrow().ids();
    }

    private static float[][] copy(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[r].clone();
        }
        return out;
    }
}

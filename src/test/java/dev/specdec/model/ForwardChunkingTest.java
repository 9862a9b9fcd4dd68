package dev.specdec.model;

import dev.specdec.SpecdecException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How tokens are split into forward calls, and what the cache was used for before, must not change a
 * single bit of the logits: speculative decoding verifies drafts in batches, rolls back, and must
 * still emit exactly what one-token-at-a-time decoding would.
 */
class ForwardChunkingTest {

    private static Gpt2Model model;
    /** tiny-3l's full-context sequence: every position up to n_positions = 64. */
    private static int[] ids;
    /** Logits of the whole sequence in one forward, the reference for every other split. */
    private static float[][] oneShot;

    @BeforeAll
    static void load() {
        model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"));
        ids = GoldenFixtures.golden("tiny-3l").sequences().stream()
                .filter(s -> s.name().equals("full-context")).findFirst().orElseThrow().ids();
        assertEquals(model.contextLength(), ids.length);
        oneShot = copy(model.forward(ids, model.newCache()));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void singleTokenForwardsEqualOneBatchedForwardBitForBit() {
        KvCache cache = model.newCache();
        for (int t = 0; t < ids.length; t++) {
            float[][] logits = model.forward(new int[] {ids[t]}, cache);
            assertEquals(1, logits.length);
            assertArrayEquals(oneShot[t], logits[0], "position " + t);
        }
        assertEquals(ids.length, cache.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"5,1,7,13,2,20,16", "31,33", "1,63", "17,17,17,13", "8,8,8,8,8,8,8,8"})
    void unevenChunkingsEqualOneBatchedForwardBitForBit(String chunking) {
        int[] sizes = Arrays.stream(chunking.split(",")).mapToInt(Integer::parseInt).toArray();
        assertEquals(ids.length, Arrays.stream(sizes).sum(), "chunks must cover the sequence");
        KvCache cache = model.newCache();
        int start = 0;
        for (int size : sizes) {
            float[][] logits = model.forward(Arrays.copyOfRange(ids, start, start + size), cache);
            assertEquals(size, logits.length);
            for (int r = 0; r < size; r++) {
                assertArrayEquals(oneShot[start + r], logits[r], "chunking " + chunking + ", position " + (start + r));
            }
            start += size;
            assertEquals(start, cache.length());
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void forwardLastGivesTheLastRowOfForwardBitForBitAndAdvancesTheCacheAlike(WeightFormat format) {
        try (Gpt2Model m = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"), format)) {
            float[][] all = copy(m.forward(ids, m.newCache()));
            KvCache cache = m.newCache();
            int start = 0;
            for (int size : new int[] {1, 2, 3, 7, 2, 5, 44}) {
                float[] last = m.forwardLast(Arrays.copyOfRange(ids, start, start + size), cache);
                start += size;
                assertEquals(start, cache.length());
                assertArrayEquals(all[start - 1], last, format + ": chunk of " + size + " ending at " + start);
            }
            assertEquals(ids.length, start);
            assertThrows(IllegalArgumentException.class, () -> m.forwardLast(new int[0], m.newCache()));
        }
    }

    @Test
    void rollingBackAndReforwardingGivesTheLogitsOfNeverHavingGoneThere() {
        KvCache cache = model.newCache();
        model.forward(Arrays.copyOfRange(ids, 0, 20), cache);
        for (int attempt = 0; attempt < 3; attempt++) {
            int[] rejected = new int[7 + 5 * attempt];
            for (int i = 0; i < rejected.length; i++) {
                rejected[i] = (ids[20 + i] + 1 + attempt) % model.vocabSize();
            }
            model.forward(rejected, cache);
            cache.truncate(20);
            assertEquals(20, cache.length());
        }
        float[][] logits = model.forward(Arrays.copyOfRange(ids, 20, 30), cache);
        for (int r = 0; r < 10; r++) {
            assertArrayEquals(oneShot[20 + r], logits[r], "position " + (20 + r) + " after rollbacks");
        }
        cache.truncate(25);
        logits = model.forward(Arrays.copyOfRange(ids, 25, ids.length), cache);
        for (int r = 0; r < ids.length - 25; r++) {
            assertArrayEquals(oneShot[25 + r], logits[r], "position " + (25 + r) + " after truncating into the batch");
        }
    }

    @Test
    void aCacheTruncatedToZeroIsAsGoodAsANewOne() {
        KvCache cache = model.newCache();
        int[] reversed = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            reversed[i] = ids[ids.length - 1 - i];
        }
        model.forward(reversed, cache);
        cache.truncate(0);
        float[][] logits = model.forward(ids, cache);
        for (int t = 0; t < ids.length; t++) {
            assertArrayEquals(oneShot[t], logits[t], "position " + t);
        }
    }

    @Test
    void forwardingPastTheContextThrowsAndLeavesTheCacheUsable() {
        KvCache cache = model.newCache();
        int[] tooLong = Arrays.copyOf(ids, ids.length + 1);
        SpecdecException tooLongAtOnce = assertThrows(SpecdecException.class, () -> model.forward(tooLong, cache));
        assertTrue(tooLongAtOnce.getMessage().contains("64"), tooLongAtOnce.getMessage());
        assertEquals(0, cache.length());

        model.forward(Arrays.copyOf(ids, 60), cache);
        assertThrows(SpecdecException.class, () -> model.forward(new int[] {1, 2, 3, 4, 5}, cache));
        assertEquals(60, cache.length());
        float[][] logits = model.forward(Arrays.copyOfRange(ids, 60, 64), cache);
        assertArrayEquals(oneShot[63], logits[3], "last position after a refused forward");
        assertThrows(SpecdecException.class, () -> model.forward(new int[] {ids[0]}, cache));
        assertEquals(64, cache.length());
    }

    @Test
    void tokenIdsOutsideTheVocabularyAreRefused() {
        KvCache cache = model.newCache();
        assertThrows(SpecdecException.class, () -> model.forward(new int[] {1, model.vocabSize()}, cache));
        assertThrows(SpecdecException.class, () -> model.forward(new int[] {-1}, cache));
        assertEquals(0, cache.length());
    }

    private static float[][] copy(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
        }
        return out;
    }
}

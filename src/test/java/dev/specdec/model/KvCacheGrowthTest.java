package dev.specdec.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cache starts with room for one attention tile and grows as its sequence does; growing, and
 * rolling back across the sizes it grew through, must not change a bit of the logits.
 */
class KvCacheGrowthTest {

    private static final int CONTEXT = 300;

    @TempDir
    static Path dir;
    private static Gpt2Model model;
    private static int[] ids;
    private static float[][] oneShot;

    @BeforeAll
    static void load() throws IOException {
        model = Gpt2Model.load(ContextLengthCopy.write(GoldenFixtures.folder("tiny-3l"), dir.resolve("long"), CONTEXT));
        Random random = new Random(3);
        ids = new int[CONTEXT];
        for (int i = 0; i < CONTEXT; i++) {
            ids[i] = random.nextInt(model.vocabSize());
        }
        KvCache cache = model.newCache();
        float[][] rows = model.forward(ids, cache);
        oneShot = new float[CONTEXT][];
        for (int i = 0; i < CONTEXT; i++) {
            oneShot[i] = rows[i].clone();
        }
        assertEquals(KvCache.capacityFor(CONTEXT), cache.capacity, "a full sequence fills the context's room");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aNewCacheHoldsOneTileAndGrowsByDoublingUpToTheContext() {
        KvCache cache = model.newCache();
        assertEquals(64, cache.capacity);
        int[] seen = new int[CONTEXT + 1];
        for (int t = 0; t < CONTEXT; t++) {
            model.forward(new int[] {ids[t]}, cache);
            seen[t + 1] = cache.capacity;
            assertTrue(cache.capacity >= t + 1, "room for position " + t);
        }
        assertEquals(64, seen[64]);
        assertEquals(128, seen[65]);
        assertEquals(256, seen[129]);
        assertEquals(KvCache.capacityFor(CONTEXT), seen[257]);
    }

    @Test
    void tokenByTokenAcrossEveryGrowthEqualsOneShotBitForBit() {
        KvCache cache = model.newCache();
        for (int t = 0; t < CONTEXT; t++) {
            assertArrayEquals(oneShot[t], model.forward(new int[] {ids[t]}, cache)[0], "position " + t);
        }
    }

    @Test
    void rollingBackBelowWhereTheCacheGrewAndGrowingAgainEqualsOneShot() {
        KvCache cache = model.newCache();
        model.forward(Arrays.copyOf(ids, 60), cache);
        int[] wrong = new int[150];
        Arrays.fill(wrong, 7);
        model.forward(wrong, cache);
        cache.truncate(50);
        float[][] rows = model.forward(Arrays.copyOfRange(ids, 50, 140), cache);
        for (int r = 0; r < rows.length; r++) {
            assertArrayEquals(oneShot[50 + r], rows[r], "position " + (50 + r));
        }
        cache.truncate(130);
        rows = model.forward(Arrays.copyOfRange(ids, 130, CONTEXT), cache);
        for (int r = 0; r < rows.length; r++) {
            assertArrayEquals(oneShot[130 + r], rows[r], "position " + (130 + r));
        }
    }
}

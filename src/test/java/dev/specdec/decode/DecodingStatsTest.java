package dev.specdec.decode;

import dev.specdec.model.Gpt2Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The statistics of a generation add up to what was emitted. The greedy runs of
 * SpeculativeGreedyTest are checked the same way (RecordedRun); these are the sampled runs and plain
 * decoding.
 */
class DecodingStatsTest {

    private static final int EOS = 299;

    private static Gpt2Model target;
    private static Gpt2Model perturbed;
    private static Gpt2Model unrelated;

    @BeforeAll
    static void load() {
        target = DecodeFixtures.load("tiny-3l");
        perturbed = DecodeFixtures.load("tiny-3l-bf16");
        unrelated = DecodeFixtures.load("tiny-1l-draft");
    }

    @AfterAll
    static void close() {
        target.close();
        perturbed.close();
        unrelated.close();
    }

    @Test
    void plainDecodingMakesOneTargetPassPerTokenAndNoDraftWork() {
        int[] prompt = DecodeFixtures.randomPrompt(new SplittableRandom(11), 9, target.vocabSize());
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(17).build();
        DecodingStats stats = new TargetDecoder(target, -1).generate(prompt, config, TokenListener.NONE).stats();
        assertEquals(9, stats.promptTokens());
        assertEquals(17, stats.generatedTokens());
        assertEquals(17, stats.targetPasses());
        assertEquals(1, stats.prefillPasses());
        assertEquals(1.0, stats.tokensPerTargetPass());
        assertEquals(0, stats.draftPasses());
        assertEquals(0, stats.proposedTokens());
        assertEquals(0, stats.acceptedTokens());
        assertEquals(0, stats.positions());
        assertTrue(Double.isNaN(stats.acceptanceRate()));
        assertTrue(stats.totalNanos() > 0 && stats.targetNanos() <= stats.totalNanos());
    }

    @Test
    void sampledSpeculativeRunsAddUp() {
        SplittableRandom random = new SplittableRandom(12);
        long proposed = 0;
        long accepted = 0;
        for (int run = 0; run < 24; run++) {
            int[] prompt = DecodeFixtures.randomPrompt(random, 1 + random.nextInt(30), target.vocabSize());
            GenerationConfig.Builder builder = GenerationConfig.builder().maxNewTokens(1 + random.nextInt(30))
                    .draftLength(1 + random.nextInt(6)).temperature(run % 4 < 2 ? 1.0 : 0.7).seed(random.nextLong());
            if (run % 3 == 0) {
                builder.topK(20).topP(0.9);
            }
            if (run % 4 == 1) {
                builder.adaptiveDraftLength(8);
            }
            // A bf16 copy is almost always accepted when sampling; the unrelated draft supplies rejections.
            Gpt2Model draft = run % 2 == 0 ? perturbed : unrelated;
            DecodingStats stats = RecordedRun.speculative(target, draft, EOS, prompt, builder.build())
                    .assertConsistent().stats();
            proposed += stats.proposedTokens();
            accepted += stats.acceptedTokens();
        }
        assertTrue(accepted > 0 && accepted < proposed, "accepted " + accepted + " of " + proposed);
    }

    @Test
    void sampledSelfDraftIsAlwaysAcceptedAndSeedsReproduce() {
        int[] prompt = DecodeFixtures.randomPrompt(new SplittableRandom(13), 6, target.vocabSize());
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(30).draftLength(5)
                .temperature(1.0).seed(99).build();
        RecordedRun first = RecordedRun.speculative(target, target, -1, prompt, config).assertConsistent();
        // The draft's distribution is the target's own, so p(d) / q(d) = 1 for every draft token.
        assertEquals(1.0, first.stats().acceptanceRate());
        assertEquals(5, first.stats().targetPasses());
        RecordedRun again = RecordedRun.speculative(target, target, -1, prompt, config);
        assertArrayEquals(first.tokens(), again.tokens(), "same seed, same tokens");
        RecordedRun other = RecordedRun.speculative(target, target, -1, prompt, config.toBuilder().seed(100).build());
        assertTrue(!Arrays.equals(first.tokens(), other.tokens()), "another seed gave the same 30 tokens");
    }
}

package dev.specdec.decode;

import dev.specdec.model.Gpt2Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Speculative sampling must leave the output distributed exactly as sampling from the target alone.
 * With 8-token models the exact distribution of a short continuation can be enumerated; 20,000
 * seeded generations per setting are compared with it by chi-square tests at significance 0.001.
 * The master seeds are fixed, so the outcome is deterministic. A drafter that misreports its own
 * probabilities must fail the same tests, which shows they can detect a biased sampler.
 */
class SpeculativeSamplingDistributionTest {

    private static final int RUNS = 20_000;
    private static final double SIGNIFICANCE = 0.001;
    /**
     * Chosen (by enumeration with transformers) so that the target accepts 40-70% of the draft's
     * tokens at the first two positions in every setting below: both the accepting and the
     * resampling path carry weight. Many prefixes give the two models' top-k/top-p sets no overlap.
     */
    private static final int[] PREFIX = {0, 3, 3};
    private static final int NO_EOS = -1;

    private static Gpt2Model target;
    private static Gpt2Model draft;
    private static int vocab;

    @BeforeAll
    static void load() {
        target = DecodeFixtures.load("v8-target");
        draft = DecodeFixtures.load("v8-draft");
        vocab = target.vocabSize();
        assertEquals(8, vocab);
    }

    @AfterAll
    static void close() {
        target.close();
        draft.close();
    }

    private static GenerationConfig sampled(double temperature, int topK, double topP, int k, int maxNewTokens, long seed) {
        return GenerationConfig.builder().maxNewTokens(maxNewTokens).draftLength(k)
                .temperature(temperature).topK(topK).topP(topP).seed(seed).build();
    }

    /**
     * maxNewTokens is k + 1 so that the first block drafts k tokens: with fewer, the budget would cut
     * every draft short and positions past the first would never be verified.
     */
    @ParameterizedTest(name = "T = {0}, top-k = {1}, top-p = {2}, k = {3}")
    @CsvSource({
            "0.7, 0, 1.0, 2", "0.7, 0, 1.0, 3", "1.0, 0, 1.0, 2", "1.0, 0, 1.0, 3",
            "0.7, 5, 0.9, 2", "0.7, 5, 0.9, 3", "1.0, 5, 0.9, 2", "1.0, 5, 0.9, 3"})
    void speculativeSamplingKeepsTheTargetDistribution(double temperature, int topK, double topP, int k) {
        GenerationConfig shape = sampled(temperature, topK, topP, k, k + 1, 0);
        Drafter drafter = new ModelDrafter(draft);
        Outcome outcome = sample(new SpeculativeDecoder(target, drafter, NO_EOS), shape, 1000 + k);
        List<String> failures = outcome.failedTests(ExactDistribution.of(target, PREFIX, LogitsWarper.of(shape), k + 1));
        assertTrue(failures.isEmpty(), String.join("; ", failures));

        // Both verification paths must have been taken at every draft position.
        for (int i = 0; i < k; i++) {
            assertTrue(outcome.acceptedAt[i] > 0 && outcome.acceptedAt[i] < outcome.proposedAt[i],
                    "position " + i + ": accepted " + outcome.acceptedAt[i] + " of " + outcome.proposedAt[i]);
        }
    }

    @Test
    void aDrafterThatUnderstatesItsProbabilitiesFailsTheSameTest() {
        int k = 3;
        GenerationConfig shape = sampled(1.0, 0, 1.0, k, k + 1, 0);
        Drafter biased = new UnderstatingDrafter(new ModelDrafter(draft), 1.5f);
        Outcome outcome = sample(new SpeculativeDecoder(target, biased, NO_EOS), shape, 1000 + k);
        List<String> failures = outcome.failedTests(ExactDistribution.of(target, PREFIX, LogitsWarper.of(shape), k + 1));
        assertTrue(!failures.isEmpty(), "a sampler biased towards the draft passed: " + outcome.pValues);
    }

    @ParameterizedTest(name = "T = {0}, top-k = {1}, top-p = {2}")
    @CsvSource({"0.7, 0, 1.0", "1.0, 0, 1.0", "0.7, 5, 0.9", "1.0, 5, 0.9"})
    void plainSamplingKeepsTheTargetDistribution(double temperature, int topK, double topP) {
        GenerationConfig shape = sampled(temperature, topK, topP, 1, 2, 0);
        Outcome outcome = sample(new TargetDecoder(target, NO_EOS), shape, 2000);
        List<String> failures = outcome.failedTests(ExactDistribution.of(target, PREFIX, LogitsWarper.of(shape), 2));
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    private static Outcome sample(Decoder decoder, GenerationConfig shape, long masterSeed) {
        int length = shape.maxNewTokens();
        Outcome outcome = new Outcome(length, (int) Math.pow(vocab, length), shape.draftLength());
        SplittableRandom seeds = new SplittableRandom(masterSeed);
        for (int run = 0; run < RUNS; run++) {
            GenerationConfig config = shape.toBuilder().seed(seeds.nextLong()).build();
            GenerationResult result = decoder.generate(PREFIX, config, TokenListener.NONE);
            assertEquals(length, result.tokens().length);
            outcome.add(result);
        }
        return outcome;
    }

    /** Counts of every continuation, and of draft proposals and acceptances per position. */
    private static final class Outcome {
        final int length;
        final long[] counts;
        final long[] proposedAt;
        final long[] acceptedAt;
        final List<String> pValues = new ArrayList<>();

        Outcome(int length, int outcomes, int k) {
            this.length = length;
            this.counts = new long[outcomes];
            this.proposedAt = new long[k];
            this.acceptedAt = new long[k];
        }

        void add(GenerationResult result) {
            counts[ExactDistribution.index(result.tokens(), length, vocab)]++;
            DecodingStats stats = result.stats();
            for (int i = 0; i < Math.min(stats.positions(), proposedAt.length); i++) {
                proposedAt[i] += stats.proposedAt(i);
                acceptedAt[i] += stats.acceptedAt(i);
            }
        }

        /**
         * Chi-square tests of the first two tokens jointly and of each later token alone; returns
         * the ones that fail.
         */
        List<String> failedTests(double[] exact) {
            List<String> failed = new ArrayList<>();
            check("tokens 1-2", ExactDistribution.firstTwo(counts, length, vocab),
                    ExactDistribution.firstTwo(exact, length, vocab), failed);
            for (int position = 2; position < length; position++) {
                check("token " + (position + 1), ExactDistribution.marginal(counts, length, vocab, position),
                        ExactDistribution.marginal(exact, length, vocab, position), failed);
            }
            return failed;
        }

        private void check(String what, long[] observed, double[] expected, List<String> failed) {
            double p;
            try {
                p = ChiSquare.pValue(observed, expected);
            } catch (AssertionError e) {
                failed.add(what + ": " + e.getMessage());
                return;
            }
            pValues.add(what + " p = " + String.format("%.3g", p));
            if (p <= SIGNIFICANCE) {
                failed.add(what + ": chi-square p = " + p);
            }
        }
    }

    /**
     * Reports q(d) of every draft token {@code factor} times too small, so the verifier accepts draft
     * tokens too often: the output leans towards the draft's distribution.
     */
    private static final class UnderstatingDrafter implements Drafter {
        private final Drafter drafter;
        private final float factor;

        UnderstatingDrafter(Drafter drafter, float factor) {
            this.drafter = drafter;
            this.factor = factor;
        }

        @Override
        public Draft propose(int[] context, int length, int maxTokens, Sampling sampling) {
            Draft honest = drafter.propose(context, length, maxTokens, sampling);
            float[][] distributions = new float[honest.size()][];
            for (int i = 0; i < honest.size(); i++) {
                distributions[i] = honest.distributions()[i].clone();
                distributions[i][honest.tokens()[i]] /= factor;
            }
            return new Draft(honest.tokens(), distributions);
        }

        @Override
        public void onVerified(int proposed, int accepted) {
            drafter.onVerified(proposed, accepted);
        }

        @Override
        public long draftPasses() {
            return drafter.draftPasses();
        }
    }
}

package dev.specdec.decode;

import dev.specdec.kernel.Parallel;
import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.KvCache;
import dev.specdec.model.WeightFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Speculative sampling with the cheap drafters leaves the output distributed exactly as the target's:
 * over 20,000 seeded runs on the 8-token fixture models, the first two generated tokens follow the
 * target's exact joint distribution (computed from its warped next-token probabilities) by a
 * chi-square test. The drafters propose distributions far from the target's, so rejections and
 * residual sampling are exercised: a one-hot lookup draft, a draft model pruned to 5 of the 8 ids
 * (warped), and that pruned draft stopping at low confidence.
 */
class DraftStrategySamplingTest {

    private static final int RUNS = 20_000;
    private static final int VOCAB = 8;
    private static final int NO_EOS = -1;
    /** Repeats (3, 5) so that the lookup proposes 1, 3 after it. */
    private static final int[] PROMPT = {3, 5, 1, 3, 5};
    private static final int[] PRUNED_IDS = {0, 2, 3, 5, 7};
    private static final Parallel ONE_THREAD = new Parallel(1);

    private static Gpt2Model target;
    private static Gpt2Model draft;

    @BeforeAll
    static void load() {
        target = Gpt2Model.load(GoldenFixtures.folder("v8-target"), WeightFormat.F32, ONE_THREAD);
        draft = Gpt2Model.load(GoldenFixtures.folder("v8-draft"), WeightFormat.F32, ONE_THREAD);
    }

    @AfterAll
    static void close() {
        target.close();
        draft.close();
    }

    static Stream<Arguments> cases() {
        // Three new tokens so that both draft positions are verified; only the first two are counted.
        GenerationConfig plainT = GenerationConfig.builder().maxNewTokens(3).draftLength(2).temperature(1.0).build();
        GenerationConfig warped = plainT.toBuilder().temperature(0.7).topK(6).build();
        CausalLanguageModel pruned = draft.withOutputVocabulary(PRUNED_IDS);
        return Stream.of(
                Arguments.of("lookup, T = 1", plainT, (Supplier<Drafter>) () -> new PromptLookupDrafter(2, 1, 10, NO_EOS)),
                Arguments.of("draft pruned to 5 of 8 ids, T = 0.7, top-k 6", warped, (Supplier<Drafter>) () -> new ModelDrafter(pruned)),
                Arguments.of("pruned draft with confidence 0.4, T = 1", plainT, (Supplier<Drafter>) () -> new ModelDrafter(pruned, 0.4)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void firstTwoTokensFollowTheTargetDistribution(String name, GenerationConfig config, Supplier<Drafter> drafters) {
        double[] result = chiSquare(name, config, drafters);
        assertTrue(result[0] < result[1], name + ": chi-square " + result[0] + " exceeds the 0.1% critical value "
                + result[1]);
    }

    /** The check has power: a drafter that samples from the pruned draft but reports q as uniform is caught. */
    @Test
    void aDrafterThatMisreportsItsDistributionIsCaught() {
        CausalLanguageModel pruned = draft.withOutputVocabulary(PRUNED_IDS);
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(3).draftLength(2).temperature(1.0).build();
        float[] uniform = new float[VOCAB];
        Arrays.fill(uniform, 1f / VOCAB);
        Supplier<Drafter> lying = () -> {
            ModelDrafter honest = new ModelDrafter(pruned);
            return (context, length, maxTokens, sampling) -> {
                Draft d = honest.propose(context, length, maxTokens, sampling);
                float[][] claimed = new float[d.size()][];
                Arrays.fill(claimed, uniform);
                return new Draft(d.tokens(), claimed);
            };
        };
        double[] result = chiSquare("misreported q", config, lying);
        assertTrue(result[0] > result[1], "chi-square " + result[0] + " did not detect the wrong q (critical "
                + result[1] + ")");
    }

    /** Runs the seeded generations; returns the chi-square statistic and its 0.1% critical value. */
    private static double[] chiSquare(String name, GenerationConfig config, Supplier<Drafter> drafters) {
        double[] expected = exactJointDistribution(config);
        long[] observed = new long[VOCAB * VOCAB];
        long proposed = 0;
        long accepted = 0;
        for (int run = 0; run < RUNS; run++) {
            GenerationConfig seeded = config.toBuilder().seed(run).build();
            GenerationResult r = new SpeculativeDecoder(target, drafters.get(), NO_EOS)
                    .generate(PROMPT, seeded, TokenListener.NONE);
            assertEquals(3, r.tokens().length);
            observed[r.tokens()[0] * VOCAB + r.tokens()[1]]++;
            proposed += r.stats().proposedTokens();
            accepted += r.stats().acceptedTokens();
        }
        assertTrue(accepted > RUNS / 100 && accepted < proposed,
                name + ": the test needs both acceptances and rejections, got " + accepted + " of " + proposed);
        double statistic = 0;
        int cells = 0;
        double pooledExpected = 0;
        long pooledObserved = 0;
        for (int c = 0; c < expected.length; c++) {
            double e = expected[c] * RUNS;
            if (e < 5) {
                pooledExpected += e;
                pooledObserved += observed[c];
                if (expected[c] == 0) {
                    assertEquals(0, observed[c], name + ": impossible pair " + c / VOCAB + ", " + c % VOCAB + " was generated");
                }
                continue;
            }
            statistic += (observed[c] - e) * (observed[c] - e) / e;
            cells++;
        }
        if (pooledExpected >= 5) {
            statistic += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected;
            cells++;
        }
        return new double[] {statistic, chiSquareCritical(cells - 1)};
    }

    /** P(t1, t2) = p(t1 | prompt) p(t2 | prompt, t1) with the target's warped probabilities. */
    private static double[] exactJointDistribution(GenerationConfig config) {
        LogitsWarper warper = LogitsWarper.of(config);
        float[] first = warped(warper, PROMPT);
        double[] joint = new double[VOCAB * VOCAB];
        double total = 0;
        for (int t1 = 0; t1 < VOCAB; t1++) {
            int[] extended = Arrays.copyOf(PROMPT, PROMPT.length + 1);
            extended[PROMPT.length] = t1;
            float[] second = warped(warper, extended);
            for (int t2 = 0; t2 < VOCAB; t2++) {
                joint[t1 * VOCAB + t2] = (double) first[t1] * second[t2];
                total += joint[t1 * VOCAB + t2];
            }
        }
        assertEquals(1.0, total, 1e-5);
        return joint;
    }

    private static float[] warped(LogitsWarper warper, int[] context) {
        KvCache cache = target.newCache();
        float[][] rows = target.forward(context, cache);
        float[] p = new float[VOCAB];
        warper.probabilities(rows[rows.length - 1], VOCAB, p);
        return p;
    }

    /** Upper 0.1% point of chi-square with {@code df} degrees of freedom (Wilson-Hilferty). */
    private static double chiSquareCritical(int df) {
        double z = 3.0902;
        double h = 2.0 / (9.0 * df);
        return df * Math.pow(1 - h + z * Math.sqrt(h), 3);
    }
}

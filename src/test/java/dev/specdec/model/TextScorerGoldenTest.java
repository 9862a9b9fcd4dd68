package dev.specdec.model;

import dev.specdec.SpecdecException;
import dev.specdec.model.GoldenFixtures.Sequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-token log-probabilities and perplexity against transformers' log_softmax. */
class TextScorerGoldenTest {

    private static final double LOG_PROB_TOLERANCE = 1e-4;
    private static final double RELATIVE_PERPLEXITY_TOLERANCE = 1e-4;

    @ParameterizedTest
    @FieldSource("dev.specdec.model.GoldenFixtures#CHECKPOINTS")
    void tokenLogProbsAndPerplexityMatchTransformers(String checkpoint) {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder(checkpoint))) {
            for (Sequence sequence : GoldenFixtures.golden(checkpoint).sequences()) {
                TextScorer.Score score = TextScorer.score(model, sequence.ids());
                String what = checkpoint + " " + sequence.name();
                assertEquals(sequence.tokenLogProbs().length, score.scoredTokens(), what);
                for (int i = 0; i < score.scoredTokens(); i++) {
                    assertEquals(sequence.tokenLogProbs()[i], score.tokenLogProbs()[i], LOG_PROB_TOLERANCE,
                            what + " log p(token " + (i + 1) + ")");
                }
                assertEquals(sequence.perplexity(), score.perplexity(),
                        RELATIVE_PERPLEXITY_TOLERANCE * sequence.perplexity(), what + " perplexity");
            }
        }
    }

    @Test
    void textsLongerThanTheContextAreScoredInHalfOverlappingWindows() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"))) {
            int context = model.contextLength();
            int[] ids = new Random(7).ints(2 * context + 5, 0, model.vocabSize()).toArray();
            TextScorer.Score score = TextScorer.score(model, ids);
            assertEquals(ids.length - 1, score.scoredTokens());

            // The first window is the first context's worth of tokens, scored as a text of its own.
            TextScorer.Score firstWindow = TextScorer.score(model, Arrays.copyOf(ids, context));
            for (int i = 0; i < context - 1; i++) {
                assertEquals(firstWindow.tokenLogProbs()[i], score.tokenLogProbs()[i], 0, "token " + (i + 1));
            }
            // Later tokens are predicted from the window that starts at the last multiple of
            // context/2 leaving them at least context/2 tokens of history.
            for (int target = context; target < ids.length; target += 5) {
                assertScoredInItsWindow(model, ids, score, target);
            }
            assertScoredInItsWindow(model, ids, score, ids.length - 1);
            assertTrue(score.perplexity() > 1 && Double.isFinite(score.perplexity()), score::toString);
        }
    }

    @Test
    void aSingleTokenCannotBeScored() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-1l"))) {
            SpecdecException e = assertThrows(SpecdecException.class, () -> TextScorer.score(model, new int[] {5}));
            assertTrue(e.getMessage().contains("at least 2 tokens"), e.getMessage());
        }
    }

    private static void assertScoredInItsWindow(Gpt2Model model, int[] ids, TextScorer.Score score, int target) {
        int half = model.contextLength() / 2;
        int begin = (target - half) / half * half;
        float[][] logits = model.forward(Arrays.copyOfRange(ids, begin, target), model.newCache());
        double expected = logSoftmax(logits[logits.length - 1], ids[target]);
        assertEquals(expected, score.tokenLogProbs()[target - 1], 1e-9, "token " + target);
    }

    /** Independent of TextScorer: the textbook formula, in double. */
    private static double logSoftmax(float[] row, int token) {
        double sum = 0;
        for (float v : row) {
            sum += Math.exp(v);
        }
        return row[token] - Math.log(sum);
    }
}

package dev.specdec.model;

import dev.specdec.SpecdecException;

import java.util.Arrays;

/**
 * Scores a token sequence under a language model: the log-probability of every token given the
 * ones before it, and the perplexity.
 *
 * <p>A sequence longer than the model's context is scored in overlapping windows of the full context
 * length, each starting half a context after the previous one. A window scores only the tokens the
 * previous window did not reach, so every token is scored once, and every token after the first
 * window is predicted from at least half a context of preceding tokens (the "sliding window"
 * perplexity of the transformers documentation, with stride = context / 2).
 */
public final class TextScorer {

    /**
     * Tokens per forward call: bounds the logits held at once to this many rows of the vocabulary
     * (64 x 50257 floats for GPT-2) however long a window is.
     */
    private static final int CHUNK = 64;

    /**
     * The score of a sequence of n tokens.
     *
     * @param tokenLogProbs n - 1 natural-log probabilities: entry i is log p(token i + 1 | tokens before it)
     * @param perplexity    exp of the mean negative log-probability
     */
    public record Score(double[] tokenLogProbs, double perplexity) {

        /** Number of scored tokens (all but the first). */
        public int scoredTokens() {
            return tokenLogProbs.length;
        }

        @Override
        public String toString() {
            return "Score[perplexity=" + perplexity + ", tokenLogProbs=" + Arrays.toString(tokenLogProbs) + "]";
        }
    }

    private TextScorer() {
    }

    /**
     * Scores {@code ids} (at least two tokens) under {@code model}.
     *
     * @throws SpecdecException when there are fewer than two tokens, or an id is outside the vocabulary
     */
    public static Score score(CausalLanguageModel model, int[] ids) {
        if (ids.length < 2) {
            throw new SpecdecException("cannot score a text of " + ids.length
                    + " token(s): perplexity needs at least 2 tokens; give a longer text");
        }
        int context = model.contextLength();
        int stride = Math.max(1, context / 2);
        double[] logProbs = new double[ids.length - 1];
        KvCache cache = model.newCache();
        int scoredUpTo = 1;
        for (int begin = 0; scoredUpTo < ids.length; begin += stride) {
            int end = Math.min(begin + context, ids.length);
            cache.truncate(0);
            for (int chunkStart = begin; chunkStart < end; chunkStart += CHUNK) {
                int chunkEnd = Math.min(chunkStart + CHUNK, end);
                float[][] logits = model.forward(Arrays.copyOfRange(ids, chunkStart, chunkEnd), cache);
                for (int target = Math.max(scoredUpTo, chunkStart + 1); target <= chunkEnd && target < end; target++) {
                    logProbs[target - 1] = logProbability(logits[target - 1 - chunkStart], ids[target]);
                }
            }
            scoredUpTo = end;
        }
        double sum = 0;
        for (double logProb : logProbs) {
            sum += logProb;
        }
        return new Score(logProbs, Math.exp(-sum / logProbs.length));
    }

    /** log softmax(row)[token], by log-sum-exp in double so large vocabularies lose no precision. */
    static double logProbability(float[] row, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : row) {
            sum += Math.exp(v - max);
        }
        return row[token] - max - Math.log(sum);
    }
}

package dev.specdec.decode;

import dev.specdec.UsageException;
import dev.specdec.kernel.Exp;
import dev.specdec.kernel.LaneSum;
import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.KvCache;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Drafts with a smaller language model that keeps its own KV cache across steps: each call feeds
 * only the tokens the cache has not seen, and a rejection truncates the cache back to the longest
 * prefix it shares with the new context instead of re-encoding everything.
 *
 * <p>With a confidence threshold (transformers' {@code assistant_confidence_threshold}, llama.cpp's
 * {@code p_min}) a draft ends early after a token whose probability under the draft's plain softmax
 * (no temperature or filtering) is below the threshold: that token is still proposed, since its
 * logits are already paid for, but the draft model runs no further on a guess it doubts.
 *
 * <p>A draft with a pruned output ({@link CausalLanguageModel#scoredTokens}) is read through its
 * scored logits only: greedy drafts take their argmax, sampled drafts their distribution, which is
 * then spread over the whole vocabulary for the verifier (zero elsewhere, as the full row's
 * -infinity logits give).
 */
public final class ModelDrafter implements Drafter {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final CausalLanguageModel model;
    private final KvCache cache;
    private final double confidenceThreshold;
    /** The model's scored token ids, ascending, or null when it scores the whole vocabulary. */
    private final int[] scored;
    /** Length of {@link #next}: the number of scored tokens. */
    private final int width;
    private int[] fed = new int[64];
    /**
     * Logits at the scored tokens predicting the token after {@code fed[0..cache.length())}, or null
     * when unknown.
     */
    private float[] next;
    private long passes;
    /** Per draft position, reused by every proposal (see {@link Drafter#propose}). */
    private float[][] distributionBuffers = new float[0][];
    /** The scored tokens' distribution before it is spread over the vocabulary. */
    private float[] scoredDistribution;

    public ModelDrafter(CausalLanguageModel model) {
        this(model, 0);
    }

    /**
     * @param confidenceThreshold stop drafting after a token whose draft probability is below this;
     *                            0 drafts as many tokens as asked
     */
    public ModelDrafter(CausalLanguageModel model, double confidenceThreshold) {
        if (!(confidenceThreshold >= 0 && confidenceThreshold < 1)) {
            throw new UsageException("--draft-confidence must be in [0, 1), got " + confidenceThreshold);
        }
        this.model = model;
        this.cache = model.newCache();
        this.confidenceThreshold = confidenceThreshold;
        this.scored = model.scoredTokens();
        this.width = scored == null ? model.vocabSize() : scored.length;
    }

    /** The draft's confidence threshold; 0 when drafts always have the asked length. */
    public double confidenceThreshold() {
        return confidenceThreshold;
    }

    @Override
    public Draft propose(int[] context, int length, int maxTokens, Sampling sampling) {
        int room = model.contextLength() - length;
        int count = Math.min(maxTokens, room);
        if (count <= 0) {
            return Draft.EMPTY;
        }
        if (catchUp(context, length)) {
            passes++;
        }
        int[] tokens = new int[count];
        float[][] distributions = new float[count][];
        for (int i = 0; i < count; i++) {
            int index;
            if (sampling == null) {
                index = LogitsWarper.argmax(next, width);
            } else {
                if (distributionBuffers.length <= i) {
                    distributionBuffers = Arrays.copyOf(distributionBuffers, i + 1);
                }
                distributions[i] = distributionBuffers[i] = distribution(sampling, distributionBuffers[i]);
                index = sampling.sample(scored == null ? distributions[i] : scoredDistribution, width);
            }
            int token = scored == null ? index : scored[index];
            tokens[i] = token;
            if (confidenceThreshold > 0 && softmaxProbability(next, width, index) < confidenceThreshold) {
                count = i + 1;
                break;
            }
            if (i + 1 < count) {
                feed(new int[] {token});
                passes++;
            }
        }
        if (count < tokens.length) {
            tokens = Arrays.copyOf(tokens, count);
            distributions = Arrays.copyOf(distributions, count);
        }
        return new Draft(tokens, sampling == null ? new float[count][] : distributions);
    }

    /**
     * The warped distribution of {@link #next} over the whole vocabulary, in {@code into} when it is
     * one this drafter spread before: its zeros outside the scored tokens are still in place.
     */
    private float[] distribution(Sampling sampling, float[] into) {
        int vocab = model.vocabSize();
        if (scored == null) {
            return sampling.distribution(next, vocab, into);
        }
        scoredDistribution = sampling.distribution(next, width, scoredDistribution);
        float[] full = into != null ? into : new float[vocab];
        for (int j = 0; j < width; j++) {
            full[scored[j]] = scoredDistribution[j];
        }
        return full;
    }

    /**
     * softmax(logits)[token], without warping. Vector lanes in float ({@link Exp}, reproducible, lane
     * sums added in order): this runs once per draft token over the whole vocabulary, where scalar
     * exp would cost a good part of a small draft's step.
     */
    static double softmaxProbability(float[] logits, int vocab, int token) {
        int bound = S.loopBound(vocab);
        float max = LogitsWarper.max(logits, vocab);
        FloatVector sumLanes = FloatVector.zero(S);
        for (int i = 0; i < bound; i += S.length()) {
            sumLanes = sumLanes.add(Exp.exp(FloatVector.fromArray(S, logits, i).sub(max)));
        }
        double sum = LaneSum.inOrder(sumLanes);
        for (int i = bound; i < vocab; i++) {
            sum += Math.exp(logits[i] - max);
        }
        return Math.exp(logits[token] - max) / sum;
    }

    @Override
    public void prefill(int[] context, int length) {
        catchUp(context, length);
    }

    /**
     * Brings the cache to {@code context[0..length)} and {@link #next} to the logits after it;
     * returns whether that took a forward pass.
     */
    private boolean catchUp(int[] context, int length) {
        int held = cache.length();
        int common = 0;
        int limit = Math.min(held, length);
        while (common < limit && fed[common] == context[common]) {
            common++;
        }
        if (common == length && held == length && next != null) {
            return false;
        }
        // At least one token must be fed to get the logits after the context.
        int keep = Math.min(common, length - 1);
        cache.truncate(keep);
        next = null;
        feed(Arrays.copyOfRange(context, keep, length));
        return true;
    }

    private void feed(int[] tokens) {
        int start = cache.length();
        if (fed.length < start + tokens.length) {
            fed = Arrays.copyOf(fed, Math.max(fed.length * 2, start + tokens.length));
        }
        System.arraycopy(tokens, 0, fed, start, tokens.length);
        next = model.forwardLastScored(tokens, cache);
    }

    @Override
    public long draftPasses() {
        return passes;
    }

    @Override
    public int contextLength() {
        return model.contextLength();
    }
}

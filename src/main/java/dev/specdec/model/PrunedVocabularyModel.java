package dev.specdec.model;

import dev.specdec.UsageException;
import dev.specdec.io.Tensor;
import dev.specdec.kernel.Parallel;
import dev.specdec.kernel.WeightMatrix;

import java.util.Arrays;

/**
 * A GPT-2 model whose output layer scores only a fixed subset of the vocabulary (a draft's most
 * frequent tokens, say): the blocks run as usual, but the lm_head multiplication covers N columns
 * instead of the whole vocabulary, so its cost drops by vocab / N. Every other logit is -infinity,
 * so argmax and sampling never pick those tokens, and a sampled draft's distribution is the full
 * model's renormalized over the subset — a valid proposal that rejection sampling corrects exactly.
 *
 * <p>Shares the weights and workspace of the model it was made from: use one of the two at a time.
 */
public final class PrunedVocabularyModel implements CausalLanguageModel {

    private final Gpt2Model base;
    private final int[] tokenIds;
    private final WeightMatrix head;
    private final Parallel parallel;
    private float[][] subsetLogits = new float[0][];

    PrunedVocabularyModel(Gpt2Model base, int[] kept, Tensor outputEmbedding, Parallel parallel) {
        int vocab = base.vocabSize();
        int c = base.config().embeddingSize();
        boolean[] seen = new boolean[vocab];
        for (int id : kept) {
            if (id < 0 || id >= vocab) {
                throw new UsageException("draft vocabulary id " + id + " is outside the model's vocabulary of "
                        + vocab + "; the frequency table was made for another tokenizer");
            }
            if (seen[id]) {
                throw new UsageException("draft vocabulary lists token id " + id + " twice; regenerate the table "
                        + "with specdec vocab-stats");
            }
            seen[id] = true;
        }
        if (kept.length == 0) {
            throw new UsageException("the draft vocabulary is empty; keep at least one token (--draft-vocab N >= 1)");
        }
        this.base = base;
        // Ascending, so that the lowest index among equal scored logits is the lowest token id, as
        // in a full row, and the scatter into full rows writes forwards.
        this.tokenIds = kept.clone();
        Arrays.sort(tokenIds);
        this.parallel = parallel;
        int n = tokenIds.length;
        float[] w = new float[Math.multiplyExact(c, n)];
        float[] row = new float[c];
        for (int j = 0; j < n; j++) {
            outputEmbedding.readFloats((long) tokenIds[j] * c, row, 0, c);
            for (int i = 0; i < c; i++) {
                w[i * n + j] = row[i];
            }
        }
        this.head = base.format().pack(w, c, n);
    }

    /** The model whose blocks this one runs. */
    public Gpt2Model base() {
        return base;
    }

    /** How many token ids get a finite logit. */
    public int keptTokens() {
        return tokenIds.length;
    }

    /** Bytes of weights streamed per forward pass: the blocks plus the pruned output layer. */
    public long weightBytesPerStep() {
        return base.weightBytesPerStep() - base.outputLayerBytes() + head.bytes();
    }

    @Override
    public int vocabSize() {
        return base.vocabSize();
    }

    @Override
    public int contextLength() {
        return base.contextLength();
    }

    @Override
    public KvCache newCache() {
        return base.newCache();
    }

    @Override
    public float[][] forward(int[] tokens, KvCache cache) {
        int n = tokens.length;
        float[][] logits = cache.prunedLogitsRows(n);
        if (n == 0) {
            return new float[0][];
        }
        float[][] hidden = base.hiddenStates(tokens, cache);
        scoreSubset(hidden, n, logits, cache);
        return Arrays.copyOf(logits, n);
    }

    @Override
    public float[] forwardLast(int[] tokens, KvCache cache) {
        float[][] logits = cache.prunedLogitsRows(1);
        scoreSubset(new float[][] {base.lastHiddenState(tokens, cache)}, 1, logits, cache);
        return logits[0];
    }

    @Override
    public int[] scoredTokens() {
        return tokenIds.clone();
    }

    @Override
    public float[] forwardLastScored(int[] tokens, KvCache cache) {
        float[] row = cache.scoredLogitsRow(tokenIds.length);
        head.multiply(parallel, new float[][] {base.lastHiddenState(tokens, cache)}, 1, null, new float[][] {row});
        return row;
    }

    /**
     * Full-vocabulary logits rows [0, rows) of {@code hidden}: the subset's scores, -infinity elsewhere.
     * Rows the cache marks as already pruned for this model keep their -infinity: refilling 50257
     * floats cost a small draft's pass more than scattering its 8192 scores.
     */
    private void scoreSubset(float[][] hidden, int rows, float[][] logits, KvCache cache) {
        if (subsetLogits.length < rows) {
            subsetLogits = new float[Math.max(rows, subsetLogits.length * 2)][tokenIds.length];
        }
        head.multiply(parallel, hidden, rows, null, subsetLogits);
        int prepared = cache.prunedRows(tokenIds);
        for (int r = 0; r < rows; r++) {
            float[] full = logits[r];
            float[] subset = subsetLogits[r];
            if (r >= prepared) {
                Arrays.fill(full, Float.NEGATIVE_INFINITY);
            }
            for (int j = 0; j < tokenIds.length; j++) {
                full[tokenIds[j]] = subset[j];
            }
        }
        cache.markPruned(tokenIds, Math.max(prepared, rows));
    }
}

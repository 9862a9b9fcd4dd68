package dev.specdec.model;

/**
 * What a decoding strategy sees of a model: run N tokens through it in one pass, get the next-token
 * logits at every one of those positions, and roll back through the {@link KvCache}.
 */
public interface CausalLanguageModel {

    int vocabSize();

    /** Maximum sequence length (n_positions). */
    int contextLength();

    /** A fresh, empty cache for one sequence. */
    KvCache newCache();

    /**
     * Appends {@code tokens} to the sequence held by {@code cache} and returns the logits predicting
     * the token after each of them ({@code [tokens.length][vocabSize]}). The rows belong to the cache,
     * must not be modified, and are overwritten by its next forward: copy what must outlive it.
     */
    float[][] forward(int[] tokens, KvCache cache);

    /**
     * {@link #forward} for a caller that needs only the logits after the last token (a prompt, a
     * draft catching up): the same row, bit for bit, but the output layer, a large share of a pass,
     * runs for one row instead of {@code tokens.length}. Owned by the cache like {@code forward}'s rows.
     *
     * @throws IllegalArgumentException when {@code tokens} is empty
     */
    default float[] forwardLast(int[] tokens, KvCache cache) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("forwardLast needs at least one token");
        }
        float[][] rows = forward(tokens, cache);
        return rows[rows.length - 1];
    }

    /**
     * The token ids whose logits can be finite, ascending, or null when the model scores the whole
     * vocabulary (a {@link PrunedVocabularyModel} scores a subset; every other logit is -infinity).
     */
    default int[] scoredTokens() {
        return null;
    }

    /**
     * {@link #forwardLast}'s row at {@link #scoredTokens} only, in that order (the whole row when
     * that is null). A drafter picking from a pruned output then reads its 8192 logits, not a
     * 50257-wide row that a pass would first fill with -infinity and that has gone cold in memory
     * by the time the draft's next pass comes.
     */
    default float[] forwardLastScored(int[] tokens, KvCache cache) {
        return forwardLast(tokens, cache);
    }
}

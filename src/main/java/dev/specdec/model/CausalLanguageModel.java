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
}

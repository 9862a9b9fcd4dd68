package dev.specdec.decode;

/**
 * Proposes tokens for the target model to verify. A drafter may keep state between calls (a draft
 * model's KV cache) and must cope with any change of context: the verifier keeps only a prefix of
 * each proposal and then appends a token of its own.
 */
public interface Drafter {

    /**
     * Proposes up to {@code maxTokens} tokens that continue {@code context[0..length)}.
     *
     * @param sampling null for greedy drafting; otherwise tokens are drawn from the drafter's
     *                 warped distribution, which is returned with the draft and may be overwritten
     *                 by the next proposal
     */
    Draft propose(int[] context, int length, int maxTokens, Sampling sampling);

    /**
     * Reads the prompt {@code context[0..length)} before the first proposal: a draft model runs it
     * through its cache in one batched pass. That pass belongs to the prompt, as the target's prefill
     * does, and is not counted in {@link #draftPasses()}.
     */
    default void prefill(int[] context, int length) {
    }

    /** Tells the drafter how many of its last {@code proposed} tokens the target kept. */
    default void onVerified(int proposed, int accepted) {
    }

    /** Forward passes of a draft model so far, the prompt's excluded (0 for drafters without a model). */
    default long draftPasses() {
        return 0;
    }

    /** Longest context the drafter can work with. */
    default int contextLength() {
        return Integer.MAX_VALUE;
    }
}

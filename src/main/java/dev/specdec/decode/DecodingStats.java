package dev.specdec.decode;

import java.util.Arrays;

/**
 * Counters and timings of one generation. For plain decoding the draft fields stay zero and every
 * target pass yields one token.
 */
public final class DecodingStats {

    int promptTokens;
    int generatedTokens;
    long prefillPasses;
    long targetPasses;
    long draftPasses;
    long proposed;
    long accepted;
    long[] proposedAt = new long[0];
    long[] acceptedAt = new long[0];
    long prefillNanos;
    long draftNanos;
    long draftPrefillNanos;
    long targetNanos;
    long totalNanos;

    void recordVerification(int proposedCount, int acceptedCount) {
        if (proposedAt.length < proposedCount) {
            proposedAt = Arrays.copyOf(proposedAt, proposedCount);
            acceptedAt = Arrays.copyOf(acceptedAt, proposedCount);
        }
        for (int i = 0; i < proposedCount; i++) {
            proposedAt[i]++;
            if (i < acceptedCount) {
                acceptedAt[i]++;
            }
        }
        proposed += proposedCount;
        accepted += acceptedCount;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int generatedTokens() {
        return generatedTokens;
    }

    /**
     * Target forward passes that produced tokens: one per verified draft block, or one per token in
     * plain decoding (where the prompt's pass produces the first token).
     */
    public long targetPasses() {
        return targetPasses;
    }

    /** Forward passes over the prompt before decoding (0 or 1). */
    public long prefillPasses() {
        return prefillPasses;
    }

    public long draftPasses() {
        return draftPasses;
    }

    public long proposedTokens() {
        return proposed;
    }

    public long acceptedTokens() {
        return accepted;
    }

    public long rejectedTokens() {
        return proposed - accepted;
    }

    /** Accepted / proposed draft tokens; NaN when nothing was proposed. */
    public double acceptanceRate() {
        return proposed == 0 ? Double.NaN : (double) accepted / proposed;
    }

    /** Generated tokens per target pass after the prompt. */
    public double tokensPerTargetPass() {
        return targetPasses == 0 ? 0 : (double) generatedTokens / targetPasses;
    }

    /** Fraction of blocks whose draft token at {@code position} (0-based) was accepted, given it was proposed. */
    public double acceptanceAt(int position) {
        return position < proposedAt.length && proposedAt[position] > 0
                ? (double) acceptedAt[position] / proposedAt[position] : Double.NaN;
    }

    /** Number of draft positions that were proposed at least once. */
    public int positions() {
        return proposedAt.length;
    }

    public long proposedAt(int position) {
        return position < proposedAt.length ? proposedAt[position] : 0;
    }

    public long acceptedAt(int position) {
        return position < acceptedAt.length ? acceptedAt[position] : 0;
    }

    public long prefillNanos() {
        return prefillNanos;
    }

    /** Of {@link #draftNanos()}: the drafter reading the prompt before its first proposal. */
    public long draftPrefillNanos() {
        return draftPrefillNanos;
    }

    public long draftNanos() {
        return draftNanos;
    }

    /** Time in target forward passes, prompt included. */
    public long targetNanos() {
        return targetNanos;
    }

    /** Time in neither model: acceptance, sampling, bookkeeping, listeners. */
    public long otherNanos() {
        return Math.max(0, totalNanos - draftNanos - targetNanos);
    }

    public long totalNanos() {
        return totalNanos;
    }

    /** Generated tokens per second of the whole call, prompt processing included. */
    public double tokensPerSecond() {
        return totalNanos == 0 ? 0 : generatedTokens * 1e9 / totalNanos;
    }
}

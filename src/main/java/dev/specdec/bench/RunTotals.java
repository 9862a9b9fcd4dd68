package dev.specdec.bench;

import dev.specdec.decode.DecodingStats;

/** Counters and times of one configuration in one repeat, summed over the prompts. */
final class RunTotals {

    long tokens;
    long nanos;
    /** Decoding target passes (not the prompt's) and their time. */
    long passes;
    long passNanos;
    long draftPasses;
    /** Draft time of decoding steps; the draft reading the prompt is left out, as the target's prefill is. */
    long draftNanos;
    long proposed;
    long accepted;
    /** Token-producing target passes, as {@link DecodingStats#targetPasses()} counts them. */
    long producingPasses;

    /**
     * Adds one generation. Plain decoding counts the prompt's pass among its target passes (it yields
     * the first token), speculative decoding does not; either way the prompt's time is left out of the
     * per-pass time so that it measures decoding steps alone.
     */
    void add(DecodingStats s, boolean plain) {
        tokens += s.generatedTokens();
        nanos += s.totalNanos();
        passes += plain ? s.targetPasses() - 1 : s.targetPasses();
        passNanos += s.targetNanos() - s.prefillNanos();
        draftPasses += s.draftPasses();
        draftNanos += s.draftNanos() - s.draftPrefillNanos();
        proposed += s.proposedTokens();
        accepted += s.acceptedTokens();
        producingPasses += s.targetPasses();
    }

    double tokensPerSecond() {
        return tokens * 1e9 / nanos;
    }

    /** NaN when there was no decoding pass. */
    double passMillis() {
        return passes == 0 ? Double.NaN : passNanos / 1e6 / passes;
    }

    /** NaN when the drafter ran no model. */
    double draftPassMillis() {
        return draftPasses == 0 ? Double.NaN : draftNanos / 1e6 / draftPasses;
    }
}

package dev.specdec.decode;

import dev.specdec.UsageException;

/**
 * Prompt lookup decoding (Saxena 2023; transformers' {@code prompt_lookup_num_tokens}): no model,
 * the draft is whatever followed an earlier occurrence of the context's last n tokens. Pays off
 * when the output copies from the prompt (summaries, code edits, quoting) and costs almost
 * nothing when it does not.
 *
 * <p>Matching rule, as transformers' PromptLookupCandidateGenerator: try n from the longest size
 * (capped at length - 1) down to the shortest; for the first n with a match, take the earliest
 * position where the last n tokens occur again followed by at least one token, and propose the
 * tokens after it, at most {@code tokens} of them and never past the end of the context; a
 * proposal stops before the first end-of-text token, so generation still ends where the target
 * decides. The draft is one-hot (no distributions), which rejection sampling treats exactly.
 */
public final class PromptLookupDrafter implements Drafter {

    /** transformers' default {@code max_matching_ngram_size}. */
    public static final int DEFAULT_MAX_NGRAM = 2;
    /** transformers matches down to single tokens. */
    public static final int DEFAULT_MIN_NGRAM = 1;
    /** The value transformers' documentation uses for {@code prompt_lookup_num_tokens}. */
    public static final int DEFAULT_TOKENS = 10;

    private final int maxNgram;
    private final int minNgram;
    private final int tokens;
    private final int eosToken;

    /**
     * @param eosToken end-of-text id, or a negative number when the model has none
     */
    public PromptLookupDrafter(int maxNgram, int minNgram, int tokens, int eosToken) {
        checkSettings(maxNgram, minNgram, tokens);
        this.maxNgram = maxNgram;
        this.minNgram = minNgram;
        this.tokens = tokens;
        this.eosToken = eosToken;
    }

    /** Throws a {@link UsageException} unless 1 <= minNgram <= maxNgram and tokens >= 1. */
    static void checkSettings(int maxNgram, int minNgram, int tokens) {
        if (minNgram < 1 || maxNgram < minNgram) {
            throw new UsageException("lookup n-gram sizes must satisfy 1 <= min <= max, got min " + minNgram
                    + " and max " + maxNgram + " (--lookup-ngram MAX or MAX..MIN)");
        }
        if (tokens < 1) {
            throw new UsageException("--lookup-tokens must be at least 1, got " + tokens);
        }
    }

    /** With transformers' defaults: n-grams of 2 then 1 token, up to 10 tokens per draft. */
    public static PromptLookupDrafter withDefaults(int eosToken) {
        return new PromptLookupDrafter(DEFAULT_MAX_NGRAM, DEFAULT_MIN_NGRAM, DEFAULT_TOKENS, eosToken);
    }

    public int maxNgram() {
        return maxNgram;
    }

    public int minNgram() {
        return minNgram;
    }

    /** Most tokens proposed per draft. */
    public int tokens() {
        return tokens;
    }

    @Override
    public Draft propose(int[] context, int length, int maxTokens, Sampling sampling) {
        int[] found = lookup(context, length, Math.min(maxTokens, tokens));
        return found.length == 0 ? Draft.EMPTY : new Draft(found, new float[found.length][]);
    }

    /** The continuation of the best earlier match of the context's suffix; empty when none. */
    int[] lookup(int[] context, int length, int limit) {
        if (limit <= 0) {
            return new int[0];
        }
        for (int n = Math.min(maxNgram, length - 1); n >= minNgram; n--) {
            int suffix = length - n;
            // The suffix occurrence itself (start == suffix) has nothing after it, so stop before it.
            for (int start = 0; start < suffix; start++) {
                if (matches(context, start, suffix, n)) {
                    return continuation(context, start + n, Math.min(start + n + limit, length));
                }
            }
        }
        return new int[0];
    }

    private static boolean matches(int[] context, int start, int suffix, int n) {
        for (int i = 0; i < n; i++) {
            if (context[start + i] != context[suffix + i]) {
                return false;
            }
        }
        return true;
    }

    private int[] continuation(int[] context, int from, int to) {
        int end = from;
        while (end < to && context[end] != eosToken) {
            end++;
        }
        int[] out = new int[end - from];
        System.arraycopy(context, from, out, 0, out.length);
        return out;
    }
}

package dev.specdec.decode;

import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.KvCache;

import java.util.Arrays;

/**
 * Drafts with a smaller language model that keeps its own KV cache across steps: each call feeds
 * only the tokens the cache has not seen, and a rejection truncates the cache back to the longest
 * prefix it shares with the new context instead of re-encoding everything.
 */
public final class ModelDrafter implements Drafter {

    private final CausalLanguageModel model;
    private final KvCache cache;
    private int[] fed = new int[64];
    /** Logits predicting the token after {@code fed[0..cache.length())}, or null when unknown. */
    private float[] next;
    private long passes;

    public ModelDrafter(CausalLanguageModel model) {
        this.model = model;
        this.cache = model.newCache();
    }

    @Override
    public Draft propose(int[] context, int length, int maxTokens, Sampling sampling) {
        int room = model.contextLength() - length;
        int count = Math.min(maxTokens, room);
        if (count <= 0) {
            return Draft.EMPTY;
        }
        catchUp(context, length);
        int vocab = model.vocabSize();
        int[] tokens = new int[count];
        float[][] distributions = new float[count][];
        for (int i = 0; i < count; i++) {
            int token;
            if (sampling == null) {
                token = LogitsWarper.argmax(next, vocab);
            } else {
                distributions[i] = sampling.distribution(next, vocab);
                token = sampling.sample(distributions[i], vocab);
            }
            tokens[i] = token;
            if (i + 1 < count) {
                feed(new int[] {token});
            }
        }
        return new Draft(tokens, sampling == null ? new float[count][] : distributions);
    }

    /** Brings the cache to {@code context[0..length)} and {@link #next} to the logits after it. */
    private void catchUp(int[] context, int length) {
        int held = cache.length();
        int common = 0;
        int limit = Math.min(held, length);
        while (common < limit && fed[common] == context[common]) {
            common++;
        }
        if (common == length && held == length && next != null) {
            return;
        }
        // At least one token must be fed to get the logits after the context.
        int keep = Math.min(common, length - 1);
        cache.truncate(keep);
        next = null;
        feed(Arrays.copyOfRange(context, keep, length));
    }

    private void feed(int[] tokens) {
        int start = cache.length();
        if (fed.length < start + tokens.length) {
            fed = Arrays.copyOf(fed, Math.max(fed.length * 2, start + tokens.length));
        }
        System.arraycopy(tokens, 0, fed, start, tokens.length);
        float[][] rows = model.forward(tokens, cache);
        passes++;
        next = rows[rows.length - 1];
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

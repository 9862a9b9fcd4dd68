package dev.specdec.decode;

import dev.specdec.UsageException;

/**
 * How to generate: how many tokens, greedy or sampled (temperature, top-k, top-p, seed), and how
 * many tokens a drafter may propose per target pass.
 */
public final class GenerationConfig {

    private final int maxNewTokens;
    private final int draftLength;
    private final boolean adaptiveDraftLength;
    private final int maxDraftLength;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final long seed;
    private final boolean stopAtEos;

    private GenerationConfig(Builder b) {
        this.maxNewTokens = b.maxNewTokens;
        this.draftLength = b.draftLength;
        this.adaptiveDraftLength = b.adaptiveDraftLength;
        this.maxDraftLength = Math.max(b.maxDraftLength, b.draftLength);
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
        this.seed = b.seed;
        this.stopAtEos = b.stopAtEos;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxNewTokens = maxNewTokens;
        b.draftLength = draftLength;
        b.adaptiveDraftLength = adaptiveDraftLength;
        b.maxDraftLength = maxDraftLength;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.seed = seed;
        b.stopAtEos = stopAtEos;
        return b;
    }

    public int maxNewTokens() {
        return maxNewTokens;
    }

    /** Tokens proposed per target pass (the starting length when adaptive). */
    public int draftLength() {
        return draftLength;
    }

    /** Whether the draft length follows transformers' "heuristic" schedule (+2 after a full accept, -1 otherwise). */
    public boolean adaptiveDraftLength() {
        return adaptiveDraftLength;
    }

    /** Longest draft the adaptive schedule may grow to (at least {@link #draftLength()}). */
    public int maxDraftLength() {
        return maxDraftLength;
    }

    /** 0 means greedy decoding. */
    public double temperature() {
        return temperature;
    }

    /** 0 disables top-k filtering. */
    public int topK() {
        return topK;
    }

    /** 1 disables nucleus filtering. */
    public double topP() {
        return topP;
    }

    public long seed() {
        return seed;
    }

    public boolean stopAtEos() {
        return stopAtEos;
    }

    public boolean greedy() {
        return temperature == 0;
    }

    /** Builder with the defaults: 64 new tokens, k = 4, greedy, seed 0, stop at EOS. */
    public static final class Builder {
        private int maxNewTokens = 64;
        private int draftLength = 4;
        private boolean adaptiveDraftLength;
        private int maxDraftLength;
        private double temperature;
        private int topK;
        private double topP = 1.0;
        private long seed;
        private boolean stopAtEos = true;

        public Builder maxNewTokens(int n) {
            if (n < 1) {
                throw new UsageException("--max-new-tokens must be at least 1, got " + n);
            }
            this.maxNewTokens = n;
            return this;
        }

        public Builder draftLength(int k) {
            if (k < 1) {
                throw new UsageException("--k (draft length) must be at least 1, got " + k);
            }
            this.draftLength = k;
            return this;
        }

        /** Adapts the draft length between 1 and {@code max} with transformers' heuristic schedule. */
        public Builder adaptiveDraftLength(int max) {
            if (max < 1) {
                throw new UsageException("the longest adaptive draft must be at least 1, got " + max);
            }
            this.adaptiveDraftLength = true;
            this.maxDraftLength = max;
            return this;
        }

        public Builder temperature(double t) {
            if (!(t >= 0) || Double.isInfinite(t)) {
                throw new UsageException("--temperature must be >= 0 (0 = greedy), got " + t);
            }
            this.temperature = t;
            return this;
        }

        public Builder topK(int k) {
            if (k < 0) {
                throw new UsageException("--top-k must be >= 0 (0 = off), got " + k);
            }
            this.topK = k;
            return this;
        }

        public Builder topP(double p) {
            if (!(p > 0 && p <= 1)) {
                throw new UsageException("--top-p must be in (0, 1], got " + p);
            }
            this.topP = p;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder stopAtEos(boolean stop) {
            this.stopAtEos = stop;
            return this;
        }

        public GenerationConfig build() {
            return new GenerationConfig(this);
        }
    }
}

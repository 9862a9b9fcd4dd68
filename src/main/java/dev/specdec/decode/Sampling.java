package dev.specdec.decode;

import java.util.SplittableRandom;

/** The random state and warper of one sampled generation; shared by the drafter and the verifier. */
public final class Sampling {

    private final LogitsWarper warper;
    private final SplittableRandom random;

    public Sampling(LogitsWarper warper, long seed) {
        this.warper = warper;
        this.random = new SplittableRandom(seed);
    }

    /** For a sampled configuration; null for greedy. */
    public static Sampling of(GenerationConfig config) {
        return config.greedy() ? null : new Sampling(LogitsWarper.of(config), config.seed());
    }

    /**
     * The warped distribution of {@code logits}, written into {@code into} (a new array when it is null
     * or too short) and returned. Callers reuse their arrays: a fresh 50257-float array per sampled
     * row was a large allocation, zeroed and later collected, several times per speculative step.
     */
    public float[] distribution(float[] logits, int vocabSize, float[] into) {
        float[] p = into != null && into.length >= vocabSize ? into : new float[vocabSize];
        warper.probabilities(logits, vocabSize, p);
        return p;
    }

    /** A uniform number in [0, 1). */
    public double uniform() {
        return random.nextDouble();
    }

    /** Draws an index from a distribution that sums to 1 (up to rounding). */
    public int sample(float[] p, int n) {
        double u = random.nextDouble();
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += p[i];
        }
        double target = u * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (cumulative > target) {
                    return i;
                }
            }
        }
        return last;
    }
}

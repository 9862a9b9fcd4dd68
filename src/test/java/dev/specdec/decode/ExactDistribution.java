package dev.specdec.decode;

import dev.specdec.model.CausalLanguageModel;

import java.util.Arrays;

/**
 * The exact probability of every continuation of a prefix under a model and a warper, by enumerating
 * all of them with cache-free forward passes. Outcome index: the tokens as digits base vocab, the
 * first token most significant.
 */
final class ExactDistribution {

    private final CausalLanguageModel model;
    private final LogitsWarper warper;
    private final int vocab;
    private final int length;
    private final double[] probabilities;

    private ExactDistribution(CausalLanguageModel model, LogitsWarper warper, int length) {
        this.model = model;
        this.warper = warper;
        this.vocab = model.vocabSize();
        this.length = length;
        this.probabilities = new double[(int) Math.pow(vocab, length)];
    }

    /** The distribution of the next {@code length} tokens after {@code prefix}. */
    static double[] of(CausalLanguageModel model, int[] prefix, LogitsWarper warper, int length) {
        ExactDistribution d = new ExactDistribution(model, warper, length);
        d.enumerate(prefix, 0, 1.0, 0);
        return d.probabilities;
    }

    private void enumerate(int[] context, int depth, double probability, int index) {
        if (depth == length) {
            probabilities[index] = probability;
            return;
        }
        float[][] rows = model.forward(context, model.newCache());
        float[] p = new float[vocab];
        warper.probabilities(rows[rows.length - 1], vocab, p);
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        int[] next = Arrays.copyOf(context, context.length + 1);
        for (int token = 0; token < vocab; token++) {
            if (p[token] > 0) {
                next[context.length] = token;
                enumerate(next, depth + 1, probability * p[token] / sum, index * vocab + token);
            }
        }
    }

    /** Outcome index of {@code tokens} (their first {@code length} entries). */
    static int index(int[] tokens, int length, int vocab) {
        int index = 0;
        for (int i = 0; i < length; i++) {
            index = index * vocab + tokens[i];
        }
        return index;
    }

    /** The distribution of the first two tokens. */
    static double[] firstTwo(double[] joint, int length, int vocab) {
        double[] out = new double[vocab * vocab];
        int below = (int) Math.pow(vocab, length - 2);
        for (int i = 0; i < joint.length; i++) {
            out[i / below] += joint[i];
        }
        return out;
    }

    /** The distribution of the token at {@code position} (0-based). */
    static double[] marginal(double[] joint, int length, int vocab, int position) {
        double[] out = new double[vocab];
        int below = (int) Math.pow(vocab, length - 1 - position);
        for (int i = 0; i < joint.length; i++) {
            out[(i / below) % vocab] += joint[i];
        }
        return out;
    }

    static long[] firstTwo(long[] joint, int length, int vocab) {
        long[] out = new long[vocab * vocab];
        int below = (int) Math.pow(vocab, length - 2);
        for (int i = 0; i < joint.length; i++) {
            out[i / below] += joint[i];
        }
        return out;
    }

    static long[] marginal(long[] joint, int length, int vocab, int position) {
        long[] out = new long[vocab];
        int below = (int) Math.pow(vocab, length - 1 - position);
        for (int i = 0; i < joint.length; i++) {
            out[(i / below) % vocab] += joint[i];
        }
        return out;
    }
}

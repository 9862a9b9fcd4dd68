package dev.specdec.decode;

/**
 * Tokens a drafter proposes. When sampling, {@code distributions[i]} is the (warped) distribution
 * {@code tokens[i]} was drawn from; a null entry means the drafter was certain (one-hot), as a
 * model-free drafter is.
 */
public record Draft(int[] tokens, float[][] distributions) {

    public static final Draft EMPTY = new Draft(new int[0], new float[0][]);

    public int size() {
        return tokens.length;
    }
}

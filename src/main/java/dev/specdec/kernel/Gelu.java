package dev.specdec.kernel;

/** GPT-2's tanh approximation of GELU ("gelu_new"), applied in place. */
public final class Gelu {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private Gelu() {
    }

    /** Applies GELU to {@code x[from..to)}. */
    public static void applyInPlace(float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1.0 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))));
        }
    }
}

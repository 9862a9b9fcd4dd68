package dev.specdec.kernel;

/** Layer normalisation over one row: {@code out = (x - mean) / sqrt(var + eps) * gamma + beta}. */
public final class LayerNorm {

    private LayerNorm() {
    }

    public static void apply(float[] x, float[] gamma, float[] beta, float epsilon, float[] out, int size) {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += x[i];
        }
        double mean = sum / size;
        double squares = 0;
        for (int i = 0; i < size; i++) {
            double d = x[i] - mean;
            squares += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(squares / size + epsilon));
        float m = (float) mean;
        for (int i = 0; i < size; i++) {
            out[i] = (x[i] - m) * inv * gamma[i] + beta[i];
        }
    }
}

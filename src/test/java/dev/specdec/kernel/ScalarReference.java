package dev.specdec.kernel;

import dev.specdec.model.WeightFormat;

/**
 * Plain scalar versions of the kernels, accumulating in double, and the weight roundings of each
 * format written from their definitions, against which the vector kernels are checked.
 */
final class ScalarReference {

    private ScalarReference() {
    }

    /** {@code x W + bias} for row-major W [in][out]; {@code bias} may be null. */
    static double[] multiply(float[] x, float[] w, int in, int out, float[] bias) {
        double[] y = new double[out];
        for (int j = 0; j < out; j++) {
            double sum = bias == null ? 0 : bias[j];
            for (int i = 0; i < in; i++) {
                sum += (double) x[i] * w[i * out + j];
            }
            y[j] = sum;
        }
        return y;
    }

    /**
     * A bound on the float32 rounding error of any order of fused multiply-adds computing
     * {@code x W + bias}: {@code in + 1} roundings of at most 2^-24 relative each on partial sums no
     * larger than {@code sum |x_i W_ij| + |bias_j|}.
     */
    static double[] roundingBound(float[] x, float[] w, int in, int out, float[] bias) {
        double[] bound = new double[out];
        for (int j = 0; j < out; j++) {
            double sum = bias == null ? 0 : Math.abs(bias[j]);
            for (int i = 0; i < in; i++) {
                sum += Math.abs((double) x[i] * w[i * out + j]);
            }
            bound[j] = (in + 1) * 0x1p-24 * sum * 1.01 + Float.MIN_NORMAL;
        }
        return bound;
    }

    /** The weights a format actually multiplies by, row-major [in][out]. */
    static float[] rounded(WeightFormat format, float[] w, int in, int out) {
        float[] r = new float[w.length];
        for (int k = 0; k < w.length; k++) {
            r[k] = switch (format) {
                case F32 -> w[k];
                case BF16 -> toBf16(w[k]);
                case F16 -> Float.float16ToFloat(Float.floatToFloat16(w[k]));
                case Q8_0 -> Float.NaN;
            };
        }
        if (format == WeightFormat.Q8_0) {
            for (int j = 0; j < out; j++) {
                for (int i0 = 0; i0 < in; i0 += Q8Matrix.BLOCK) {
                    int i1 = Math.min(in, i0 + Q8Matrix.BLOCK);
                    float max = 0;
                    for (int i = i0; i < i1; i++) {
                        max = Math.max(max, Math.abs(w[i * out + j]));
                    }
                    float scale = max / 127;
                    float inverse = scale == 0 ? 0 : 1 / scale;
                    for (int i = i0; i < i1; i++) {
                        r[i * out + j] = roundHalfAway(w[i * out + j] * inverse) * scale;
                    }
                }
            }
        }
        return r;
    }

    /** Largest error Q8_0 may make on one weight: half a quantisation step of its block. */
    static float[] q8HalfSteps(float[] w, int in, int out) {
        float[] half = new float[w.length];
        for (int j = 0; j < out; j++) {
            for (int i0 = 0; i0 < in; i0 += Q8Matrix.BLOCK) {
                int i1 = Math.min(in, i0 + Q8Matrix.BLOCK);
                float max = 0;
                for (int i = i0; i < i1; i++) {
                    max = Math.max(max, Math.abs(w[i * out + j]));
                }
                for (int i = i0; i < i1; i++) {
                    half[i * out + j] = max / 127 / 2;
                }
            }
        }
        return half;
    }

    private static int roundHalfAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    /** Nearest bfloat16, ties to the even mantissa, computed on the value rather than the bits. */
    static float toBf16(float v) {
        if (v == 0 || Float.isNaN(v) || Float.isInfinite(v)) {
            return v;
        }
        int exponent = Math.getExponent(v);
        double ulp = Math.scalb(1.0, Math.max(exponent, Float.MIN_EXPONENT) - 7);
        double down = Math.floor(v / ulp) * ulp;
        double up = down + ulp;
        double pick;
        if (v - down < up - v) {
            pick = down;
        } else if (v - down > up - v) {
            pick = up;
        } else {
            pick = ((long) Math.floor(down / ulp) & 1) == 0 ? down : up;
        }
        return (float) pick;
    }

    /**
     * Causal attention of one query at position {@code pos} over keys and values stored row-major,
     * {@code keys[t][width]}, {@code values[t][width]}.
     */
    static double[] attention(float[] q, float[][] keys, float[][] values, int heads, int headSize, int pos) {
        double[] out = new double[heads * headSize];
        double scale = 1 / Math.sqrt(headSize);
        for (int h = 0; h < heads; h++) {
            double[] s = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t <= pos; t++) {
                double dot = 0;
                for (int d = 0; d < headSize; d++) {
                    dot += (double) q[h * headSize + d] * keys[t][h * headSize + d];
                }
                s[t] = dot * scale;
                max = Math.max(max, s[t]);
            }
            double sum = 0;
            for (int t = 0; t <= pos; t++) {
                s[t] = Math.exp(s[t] - max);
                sum += s[t];
            }
            for (int t = 0; t <= pos; t++) {
                for (int d = 0; d < headSize; d++) {
                    out[h * headSize + d] += s[t] / sum * values[t][h * headSize + d];
                }
            }
        }
        return out;
    }

    static double[] layerNorm(float[] x, float[] gamma, float[] beta, double epsilon) {
        int n = x.length;
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= n;
        double variance = 0;
        for (float v : x) {
            variance += (v - mean) * (v - mean);
        }
        variance /= n;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = (x[i] - mean) / Math.sqrt(variance + epsilon) * gamma[i] + beta[i];
        }
        return out;
    }

    /** GPT-2's gelu_new. */
    static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }
}

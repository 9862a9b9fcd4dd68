package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * GPT-2's tanh approximation of GELU ("gelu_new"), applied in place, in float32 vector arithmetic.
 *
 * <p>Uses {@code 0.5 x (1 + tanh(u)) = x / (1 + exp(-2u))} with {@code u = sqrt(2/pi) (x + 0.044715 x^3)},
 * and {@link Exp} (multiplies, fused multiply-adds and exponent bits), not {@code Math.tanh}: the MLP evaluates it for every hidden unit of every token, and a scalar
 * library call per element cost a tenth of a five-token forward pass. Only IEEE basic operations
 * are used, so an element's result is the same in every lane, with or without a mask, compiled or
 * interpreted: batched and single-token forwards stay bit-identical.
 */
public final class Gelu {

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float CUBIC = (float) (Math.sqrt(2.0 / Math.PI) * 0.044715);

    private Gelu() {
    }

    /** Applies GELU to {@code x[from..to)}. */
    public static void applyInPlace(float[] x, int from, int to) {
        int i = from;
        for (; i + S.length() <= to; i += S.length()) {
            gelu(FloatVector.fromArray(S, x, i)).intoArray(x, i);
        }
        if (i < to) {
            VectorMask<Float> m = PanelLayout.firstLanes(to - i);
            gelu(FloatVector.fromArray(S, x, i, m)).intoArray(x, i, m);
        }
    }

    private static FloatVector gelu(FloatVector x) {
        FloatVector u = x.mul(x).fma(CUBIC, SQRT_2_OVER_PI).mul(x);
        return x.div(Exp.exp(u.mul(-2f)).add(1f));
    }

}

package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GPT-2's tanh approximation of GELU ("gelu_new"), applied in place, in float32 vector arithmetic.
 *
 * <p>Uses {@code 0.5 x (1 + tanh(u)) = x / (1 + exp(-2u))} with {@code u = sqrt(2/pi) (x + 0.044715 x^3)},
 * and an exp made of multiplies, fused multiply-adds and exponent bits (Cephes' expf polynomial),
 * not {@code Math.tanh}: the MLP evaluates it for every hidden unit of every token, and a scalar
 * library call per element cost a tenth of a five-token forward pass. Only IEEE basic operations
 * are used, so an element's result is the same in every lane, with or without a mask, compiled or
 * interpreted: batched and single-token forwards stay bit-identical.
 */
public final class Gelu {

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float CUBIC = (float) (Math.sqrt(2.0 / Math.PI) * 0.044715);
    /** exp(y) is evaluated for y clamped to this range: 2^n stays a normal float. */
    private static final float EXP_MIN = -87.3f;
    private static final float EXP_MAX = 88.3f;
    private static final float LOG2_E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND = 12582912f;
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;

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
        return x.div(exp(u.mul(-2f)).add(1f));
    }

    private static FloatVector exp(FloatVector y) {
        y = y.max(EXP_MIN).min(EXP_MAX);
        FloatVector n = y.fma(LOG2_E, ROUND).sub(ROUND);
        FloatVector r = n.fma(constant(-LN2_HIGH), y);
        r = n.fma(constant(-LN2_LOW), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, constant(8.3334519073e-3f));
        p = p.fma(r, constant(4.1665795894e-2f));
        p = p.fma(r, constant(1.6666665459e-1f));
        p = p.fma(r, constant(5.0000001201e-1f));
        FloatVector er = p.mul(r).fma(r, r).add(1f);
        IntVector bits = (IntVector) n.convert(VectorOperators.F2I, 0);
        FloatVector scale = bits.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return er.mul(scale);
    }

    private static FloatVector constant(float value) {
        return FloatVector.broadcast(S, value);
    }
}

package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^y in float32 vector arithmetic: Cephes' expf polynomial, built from multiplies, fused
 * multiply-adds and exponent bits only. {@code VectorOperators.EXP} would be faster to write but is
 * not reproducible: compiled code calls a vector math library and interpreted code {@code Math.exp}
 * per lane, so a result could change with the JIT's progress. These operations give the same bits
 * in every lane, compiled or interpreted; the error is within 2 ulp of e^y.
 */
public final class Exp {

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;

    /** y is clamped to [MIN, MAX] first, so that 2^n stays a normal float. */
    public static final float MIN = -87.3f;
    public static final float MAX = 88.3f;
    private static final float LOG2_E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND = 12582912f;
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;

    private Exp() {
    }

    /** e^y for every lane, with y clamped to [{@link #MIN}, {@link #MAX}]. */
    public static FloatVector exp(FloatVector y) {
        y = y.max(MIN).min(MAX);
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

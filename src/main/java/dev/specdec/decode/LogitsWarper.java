package dev.specdec.decode;

import dev.specdec.kernel.Exp;
import dev.specdec.kernel.LaneSum;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Turns logits into the distribution tokens are sampled from, applying temperature, then top-k,
 * then top-p, in the order and with the tie rules of transformers' logits warpers.
 */
public final class LogitsWarper {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final double temperature;
    private final int topK;
    private final double topP;
    /**
     * Probability mass per binary exponent below the largest probability's: float exponents span
     * 127 down to -127 (zero and subnormals), so 255 classes cover every difference.
     */
    private final double[] massByExponent = new double[255];
    private float[] sorted = new float[0];
    private long[] keys = new long[0];

    public LogitsWarper(double temperature, int topK, double topP) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0 for sampling: " + temperature);
        }
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
    }

    public static LogitsWarper of(GenerationConfig config) {
        return new LogitsWarper(config.temperature(), config.topK(), config.topP());
    }

    /** Writes the warped probabilities of {@code logits[0..n)} into {@code probs}. */
    public void probabilities(float[] logits, int n, float[] probs) {
        double invT = 1.0 / temperature;
        for (int i = 0; i < n; i++) {
            probs[i] = (float) (logits[i] * invT);
        }
        if (topK > 0 && topK < n) {
            float threshold = kthLargest(probs, n, topK);
            for (int i = 0; i < n; i++) {
                if (probs[i] < threshold) {
                    probs[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        softmax(probs, n);
        if (topP < 1.0) {
            nucleus(probs, n);
        }
    }

    private float kthLargest(float[] values, int n, int k) {
        float[] copy = scratch(n);
        System.arraycopy(values, 0, copy, 0, n);
        Arrays.sort(copy, 0, n);
        return copy[n - k];
    }

    /**
     * transformers' TopPLogitsWarper: sort ascending, drop the tokens whose cumulative probability
     * is at most 1 - top_p, always keep the most likely one.
     *
     * <p>Only the tokens at the boundary are sorted. One pass sums the probabilities by binary
     * exponent; the lowest exponent classes whose total mass stays at most 1 - top_p precede every
     * other token in ascending order, so the rule drops them all, the walk stops inside the next class,
     * and every class above it is kept. Sorting the whole vocabulary for every sampled row (50257
     * entries, several per speculative pass) otherwise cost more than the forward pass of a small model.
     */
    private void nucleus(float[] probs, int n) {
        if (keys.length < n) {
            keys = new long[n];
        }
        int top = Math.getExponent(Math.max(0f, max(probs, n)));
        Arrays.fill(massByExponent, 0);
        for (int i = 0; i < n; i++) {
            massByExponent[top - Math.getExponent(probs[i])] += probs[i];
        }
        // Drop whole exponent classes from the bottom while their mass stays within 1 - top_p. The
        // walk ends inside the next class: only its members need sorting, every larger token is kept.
        double dropped = 0;
        int d = massByExponent.length - 1;
        while (d > 0 && dropped + massByExponent[d] <= 1.0 - topP) {
            dropped += massByExponent[d];
            d--;
        }
        int boundary = top - d;
        int m = collectBoundary(probs, n, boundary);
        Arrays.sort(keys, 0, m);
        // The most likely token is never dropped; it is the last of the sorted class only for the top class.
        int walk = d == 0 ? m - 1 : m;
        double cumulative = dropped;
        for (int k = 0; k < walk; k++) {
            int i = (int) keys[k];
            cumulative += probs[i];
            if (cumulative > 1.0 - topP) {
                break;
            }
            probs[i] = 0;
        }
        normalize(probs, n);
    }

    /**
     * Zeroes every probability of binary exponent below {@code boundary} and writes the sort keys of
     * those with exponent {@code boundary} into {@link #keys}; returns how many. In vector lanes, with
     * a scalar look only at lanes in the boundary class: most of a 50257-token row is far below it,
     * and the scalar loop over every token took 27 us against 7 (alternated, one process).
     */
    private int collectBoundary(float[] probs, int n, int boundary) {
        int bound = S.loopBound(n);
        // Probabilities are >= 0, so their float bits sort like their values (the low half of a key
        // keeps the index), and the bits' high part is the biased exponent (0 for zero and
        // subnormals, where Math.getExponent gives MIN_EXPONENT - 1: the same value unbiased).
        int biased = boundary + Float.MAX_EXPONENT;
        int m = 0;
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector p = FloatVector.fromArray(S, probs, i);
            IntVector exponent = p.reinterpretAsInts().lanewise(VectorOperators.LSHR, 23);
            VectorMask<Integer> below = exponent.lt(biased);
            if (below.anyTrue()) {
                p.blend(0f, below.cast(S)).intoArray(probs, i);
            }
            VectorMask<Integer> at = exponent.eq(biased);
            for (int l = at.firstTrue(); l < S.length(); l = nextTrue(at, l)) {
                keys[m++] = ((long) Float.floatToIntBits(probs[i + l]) << 32) | (i + l);
            }
        }
        for (int i = bound; i < n; i++) {
            int exponent = Math.getExponent(probs[i]);
            if (exponent < boundary) {
                probs[i] = 0;
            } else if (exponent == boundary) {
                keys[m++] = ((long) Float.floatToIntBits(probs[i]) << 32) | i;
            }
        }
        return m;
    }

    /** The next set lane of {@code mask} after {@code lane}, or the lane count when there is none. */
    private static int nextTrue(VectorMask<Integer> mask, int lane) {
        for (int l = lane + 1; l < mask.length(); l++) {
            if (mask.laneIsSet(l)) {
                return l;
            }
        }
        return mask.length();
    }

    private float[] scratch(int n) {
        if (sorted.length < n) {
            sorted = new float[n];
        }
        return sorted;
    }

    /**
     * In-place softmax of {@code x[0..n)}; -infinity entries become 0. The exponentials are taken in
     * vector lanes by {@link Exp}, whose bits do not depend on the JIT, and the lane sums are added
     * in a fixed order, so a seeded sample stays reproducible: a scalar {@code Math.exp} per token
     * cost about a millisecond per 50257-token row, more than the demo target's forward pass, and a
     * sampled speculative step needs several rows. Tokens more than 87.3 nats below the top take
     * {@code Math.exp}, whose subnormal results keep them among the possible tokens, as in float32
     * softmax.
     */
    public static void softmax(float[] x, int n) {
        int bound = S.loopBound(n);
        float max = max(x, n);
        FloatVector sumLanes = FloatVector.zero(S);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector y = FloatVector.fromArray(S, x, i).sub(max);
            FloatVector e = Exp.exp(y);
            VectorMask<Float> low = y.lt(Exp.MIN);
            if (low.anyTrue()) {
                e = e.blend(0f, low);
                VectorMask<Float> finite = low.and(y.compare(VectorOperators.NE, Float.NEGATIVE_INFINITY));
                if (finite.anyTrue()) {
                    e = withScalarExp(y, e, finite);
                }
            }
            e.intoArray(x, i);
            sumLanes = sumLanes.add(e);
        }
        double sum = LaneSum.inOrder(sumLanes);
        for (int i = bound; i < n; i++) {
            float e = x[i] == Float.NEGATIVE_INFINITY ? 0 : (float) Math.exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        scale(x, n, (float) (1.0 / sum));
    }

    /** {@code e} with the lanes of {@code lanes} replaced by {@code (float) Math.exp(y)}. */
    private static FloatVector withScalarExp(FloatVector y, FloatVector e, VectorMask<Float> lanes) {
        float[] ys = y.toArray();
        float[] es = e.toArray();
        for (int l = 0; l < es.length; l++) {
            if (lanes.laneIsSet(l)) {
                es[l] = (float) Math.exp(ys[l]);
            }
        }
        return FloatVector.fromArray(S, es, 0);
    }

    /** Scales {@code p[0..n)} to sum to 1; lane sums are added in a fixed order, so the bits are reproducible. */
    static void normalize(float[] p, int n) {
        int bound = S.loopBound(n);
        FloatVector sumLanes = FloatVector.zero(S);
        for (int i = 0; i < bound; i += S.length()) {
            sumLanes = sumLanes.add(FloatVector.fromArray(S, p, i));
        }
        double sum = LaneSum.inOrder(sumLanes);
        for (int i = bound; i < n; i++) {
            sum += p[i];
        }
        scale(p, n, (float) (1.0 / sum));
    }

    private static void scale(float[] p, int n, float factor) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector.fromArray(S, p, i).mul(factor).intoArray(p, i);
        }
        for (int i = bound; i < n; i++) {
            p[i] *= factor;
        }
    }

    /** The largest of {@code x[0..n)} (NaN if one is NaN), in vector lanes. */
    static float max(float[] x, int n) {
        int bound = S.loopBound(n);
        FloatVector maxLanes = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < bound; i += S.length()) {
            maxLanes = maxLanes.max(FloatVector.fromArray(S, x, i));
        }
        float max = maxLanes.reduceLanes(VectorOperators.MAX);
        for (int i = bound; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        return max;
    }

    /**
     * Index of the largest value, the lowest index on ties (as torch.argmax). Two vector passes, the
     * maximum and then its first position: a scalar loop over a 50257-token row cost a tenth of a
     * small draft's pass, and greedy decoding runs one per draft token and per verified row.
     */
    public static int argmax(float[] x, int n) {
        int bound = S.loopBound(n);
        float max = max(x, n);
        if (Float.isNaN(max)) {
            return scalarArgmax(x, n);
        }
        for (int i = 0; i < bound; i += S.length()) {
            VectorMask<Float> hit = FloatVector.fromArray(S, x, i).eq(max);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        for (int i = bound; i < n; i++) {
            if (x[i] == max) {
                return i;
            }
        }
        return 0;
    }

    /** {@link #argmax} for rows holding NaN, which the scalar comparison skips (unless it is the first). */
    private static int scalarArgmax(float[] x, int n) {
        int best = 0;
        float bestValue = x[0];
        for (int i = 1; i < n; i++) {
            if (x[i] > bestValue) {
                bestValue = x[i];
                best = i;
            }
        }
        return best;
    }
}

package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static dev.specdec.kernel.PanelLayout.LANES;
import static dev.specdec.kernel.PanelLayout.WIDTH;

/**
 * Causal multi-head attention of one query row over a layer's key/value cache.
 *
 * <p>Keys are cached transposed ({@code kT[(head * headSize + d) * capacity + t]}) so the scores of
 * {@code WIDTH} positions accumulate in registers over the head dimension, and values row-major
 * ({@code v[t * width + head * headSize + d]}) so the output accumulates over positions. Every sum
 * runs in a fixed order that depends only on the query's position, never on the batch, which keeps
 * an N-token forward bit-identical to N single-token forwards.
 */
public final class Attention {

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;

    private Attention() {
    }

    /**
     * Attends the query at absolute position {@code pos} for heads [headFrom, headTo).
     *
     * @param q        query row, {@code heads * headSize} wide
     * @param kT       transposed keys of this layer
     * @param v        values of this layer
     * @param capacity positions per head in {@code kT}, a multiple of {@link PanelLayout#WIDTH}
     * @param scores   scratch of at least {@code capacity} floats
     * @param out      output row, {@code heads * headSize} wide
     */
    public static void attend(float[] q, float[] kT, float[] v, int headSize, int capacity, int pos,
                              float[] scores, float[] out, int headFrom, int headTo) {
        int width = q.length;
        float scale = (float) (1.0 / Math.sqrt(headSize));
        int positions = pos + 1;
        for (int h = headFrom; h < headTo; h++) {
            scores(q, kT, h, headSize, capacity, positions, scores);
            softmax(scores, positions, scale);
            weightedValues(scores, v, h, headSize, width, positions, out);
        }
    }

    private static void scores(float[] q, float[] kT, int h, int headSize, int capacity, int positions,
                               float[] scores) {
        int qBase = h * headSize;
        for (int t0 = 0; t0 < positions; t0 += WIDTH) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            int k = qBase * capacity + t0;
            for (int d = 0; d < headSize; d++, k += capacity) {
                FloatVector b = FloatVector.broadcast(S, q[qBase + d]);
                a0 = FloatVector.fromArray(S, kT, k).fma(b, a0);
                a1 = FloatVector.fromArray(S, kT, k + LANES).fma(b, a1);
                a2 = FloatVector.fromArray(S, kT, k + 2 * LANES).fma(b, a2);
                a3 = FloatVector.fromArray(S, kT, k + 3 * LANES).fma(b, a3);
            }
            a0.intoArray(scores, t0);
            a1.intoArray(scores, t0 + LANES);
            a2.intoArray(scores, t0 + 2 * LANES);
            a3.intoArray(scores, t0 + 3 * LANES);
        }
    }

    /**
     * Softmax of the scaled scores {@code s[0..n)}, in place. The exponentials are taken in vector
     * lanes by {@link Exp}: a scalar {@code Math.exp} per position cost a small draft model ~2 us
     * per layer at 40 positions. The lanes past n in the last vector are set to -infinity first, so
     * each adds e^{@link Exp#MIN} (~1e-38) to a sum of at least 1, which leaves it unchanged. The lane
     * sums are added in a fixed order, so the weights depend only on the position, never on the batch.
     */
    private static void softmax(float[] s, int n, float scale) {
        int end = S.loopBound(n + LANES - 1);
        Arrays.fill(s, n, end, Float.NEGATIVE_INFINITY);
        FloatVector maxLanes = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int t = 0; t < end; t += LANES) {
            FloatVector v = FloatVector.fromArray(S, s, t).mul(scale);
            v.intoArray(s, t);
            maxLanes = maxLanes.max(v);
        }
        float max = maxLanes.reduceLanes(VectorOperators.MAX);
        FloatVector sumLanes = FloatVector.zero(S);
        for (int t = 0; t < end; t += LANES) {
            FloatVector e = Exp.exp(FloatVector.fromArray(S, s, t).sub(max));
            e.intoArray(s, t);
            sumLanes = sumLanes.add(e);
        }
        float inv = (float) (1.0 / LaneSum.inOrder(sumLanes));
        for (int t = 0; t < end; t += LANES) {
            FloatVector.fromArray(S, s, t).mul(inv).intoArray(s, t);
        }
    }

    /**
     * {@code out[h] = sum_t p[t] v[t][h]}, positions outermost so that each value row is read once,
     * sequentially, into up to four accumulators per {@code 4 * LANES} dimensions of the head.
     */
    private static void weightedValues(float[] p, float[] v, int h, int headSize, int width, int positions,
                                       float[] out) {
        int base = h * headSize;
        for (int d0 = 0; d0 < headSize; d0 += WIDTH) {
            int dims = Math.min(WIDTH, headSize - d0);
            if (dims == WIDTH) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int t = 0, idx = base + d0; t < positions; t++, idx += width) {
                    FloatVector b = FloatVector.broadcast(S, p[t]);
                    a0 = FloatVector.fromArray(S, v, idx).fma(b, a0);
                    a1 = FloatVector.fromArray(S, v, idx + LANES).fma(b, a1);
                    a2 = FloatVector.fromArray(S, v, idx + 2 * LANES).fma(b, a2);
                    a3 = FloatVector.fromArray(S, v, idx + 3 * LANES).fma(b, a3);
                }
                a0.intoArray(out, base + d0);
                a1.intoArray(out, base + d0 + LANES);
                a2.intoArray(out, base + d0 + 2 * LANES);
                a3.intoArray(out, base + d0 + 3 * LANES);
            } else {
                for (int d1 = d0; d1 < d0 + dims; d1 += LANES) {
                    VectorMask<Float> m = PanelLayout.firstLanes(Math.min(LANES, headSize - d1));
                    FloatVector acc = FloatVector.zero(S);
                    for (int t = 0, idx = base + d1; t < positions; t++, idx += width) {
                        acc = FloatVector.fromArray(S, v, idx, m).fma(FloatVector.broadcast(S, p[t]), acc);
                    }
                    acc.intoArray(out, base + d1, m);
                }
            }
        }
    }
}

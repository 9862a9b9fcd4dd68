package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import static dev.specdec.kernel.PanelLayout.LANES;
import static dev.specdec.kernel.PanelLayout.WIDTH;

/**
 * Writes a panel's accumulators to the output rows: the kernels park their registers in a scratch
 * array with intrinsic stores, then {@link #store} adds the bias and writes the row, clipped to its
 * length. Handing the registers themselves to a call the compiler declines to inline (large kernels
 * hit its node limit) would make it allocate a box for every accumulator on every loop iteration.
 */
final class PanelStore {

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;

    private PanelStore() {
    }

    /**
     * Writes {@code acc[row * WIDTH ..] + bias} to columns {@code col ..} of {@code out}, clipped to
     * {@code outputSize}; a null {@code out} (a padding row of a batch) is skipped, a null bias is zero.
     */
    static void store(float[] acc, int row, float[] bias, int col, float[] out, int outputSize) {
        if (out == null) {
            return;
        }
        for (int k = 0; k < WIDTH; k += LANES) {
            int c = col + k;
            FloatVector a = FloatVector.fromArray(S, acc, row * WIDTH + k);
            if (c + LANES <= outputSize) {
                if (bias != null) {
                    a = a.add(FloatVector.fromArray(S, bias, c));
                }
                a.intoArray(out, c);
            } else if (c < outputSize) {
                VectorMask<Float> m = PanelLayout.firstLanes(outputSize - c);
                if (bias != null) {
                    a = a.add(FloatVector.fromArray(S, bias, c, m));
                }
                a.intoArray(out, c, m);
            }
        }
    }
}

package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
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
                // The matrix's last few columns, one scalar add each: the same bits as a lane's add.
                // A masked store here ran the Vector API's Java fallback whenever the compiler could
                // not pin down the mask's class, a third of a demo run's time in the output layer's
                // last panel.
                int at = row * WIDTH + k - c;
                for (int j = c; j < outputSize; j++) {
                    out[j] = bias == null ? acc[at + j] : acc[at + j] + bias[j];
                }
            }
        }
    }
}

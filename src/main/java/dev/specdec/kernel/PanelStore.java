package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import static dev.specdec.kernel.PanelLayout.LANES;

/** Writes one panel's four accumulator registers to an output row, adding the bias, clipped to the row. */
final class PanelStore {

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;

    private PanelStore() {
    }

    static void store(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3,
                      float[] bias, int col, float[] out, int outputSize) {
        storeOne(a0, bias, col, out, outputSize);
        storeOne(a1, bias, col + LANES, out, outputSize);
        storeOne(a2, bias, col + 2 * LANES, out, outputSize);
        storeOne(a3, bias, col + 3 * LANES, out, outputSize);
    }

    private static void storeOne(FloatVector a, float[] bias, int col, float[] out, int outputSize) {
        if (col + LANES <= outputSize) {
            if (bias != null) {
                a = a.add(FloatVector.fromArray(S, bias, col));
            }
            a.intoArray(out, col);
        } else if (col < outputSize) {
            VectorMask<Float> m = S.indexInRange(col, outputSize);
            if (bias != null) {
                a = a.add(FloatVector.fromArray(S, bias, col, m));
            }
            a.intoArray(out, col, m);
        }
    }
}

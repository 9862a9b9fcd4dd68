package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;

/** The total of a vector's lanes, added in a fixed order. */
public final class LaneSum {

    private LaneSum() {
    }

    /**
     * The lanes' total, added in lane order: {@code reduceLanes(ADD)} leaves the order to the
     * implementation, so its last bits (and a seeded sample or a cached logit drawn from them) could
     * change with the JIT.
     */
    public static double inOrder(FloatVector lanes) {
        double sum = 0;
        for (float lane : lanes.toArray()) {
            sum += lane;
        }
        return sum;
    }
}

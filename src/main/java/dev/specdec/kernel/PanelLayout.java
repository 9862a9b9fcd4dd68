package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The column-panel layout shared by all weight formats: W [input][output] is cut into panels of
 * {@link #WIDTH} consecutive output columns, and each panel is stored input row by input row
 * ({@code panel p, input i, column c -> ((p * input) + i) * WIDTH + c}), so a kernel streams one
 * panel sequentially while keeping its {@code WIDTH} accumulators per batch row in registers.
 * The last panel is padded with zero columns.
 */
public final class PanelLayout {

    /** Float vector shape used by every kernel: the widest the CPU runs natively. */
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Vector lanes per register. */
    public static final int LANES = SPECIES.length();

    /** Output columns per panel: four vector registers of accumulators per row. */
    public static final int WIDTH = 4 * LANES;

    /**
     * {@code FIRST_LANES[n]} selects lanes [0, n). Built once: {@code SPECIES.indexInRange} for a
     * partial range was not compiled to a mask instruction here but ran the library's Java fallback,
     * which cost more than the output layer's last panel it guarded. A masked load or store with one
     * of these masks can still take that fallback when the compiler cannot pin down the mask's class,
     * so a hot tail (the output layer's last panel, {@link PanelStore}) is written with scalar code;
     * the masks remain for tails that are rare or absent in GPT-2's shapes (GELU, attention heads).
     */
    private static final VectorMask<Float>[] FIRST_LANES = firstLaneMasks();

    private PanelLayout() {
    }

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] firstLaneMasks() {
        VectorMask<Float>[] masks = new VectorMask[LANES + 1];
        for (int n = 0; n <= LANES; n++) {
            masks[n] = SPECIES.indexInRange(0, n);
        }
        return masks;
    }

    /** The mask of lanes [0, n) for {@code 0 <= n <= LANES}, e.g. a vector's worth of {@code [from, to)}. */
    public static VectorMask<Float> firstLanes(int n) {
        return FIRST_LANES[n];
    }

    /** Number of panels needed for {@code outputSize} columns. */
    public static int panels(int outputSize) {
        return (outputSize + WIDTH - 1) / WIDTH;
    }
}

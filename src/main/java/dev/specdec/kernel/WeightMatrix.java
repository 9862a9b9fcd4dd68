package dev.specdec.kernel;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A weight matrix W of shape [input][output] (Hugging Face's Conv1D layout) in some storage format,
 * multiplied from the left by a batch of input rows: {@code out[r] = x[r] W + bias}.
 *
 * <p>Implementations store W in column panels (see {@link PanelLayout}) so that one pass over a
 * panel serves several rows of the batch, and sum each output element over the input index in
 * increasing order with fused multiply-adds. The result for a row therefore does not depend on how
 * many other rows are in the batch or how the output columns are split across threads.
 */
public interface WeightMatrix {

    int inputSize();

    int outputSize();

    /** Number of column panels; the unit of work split across threads. */
    int panels();

    /** Bytes of weight data read by one full multiplication. */
    long bytes();

    /**
     * The packed data, to be saved and later handed back to the same format's {@code fromStorage}
     * (see {@code WeightFormat.fromStorage}); not to be modified.
     */
    List<MemorySegment> storage();

    /**
     * Computes output columns of panels [panelFrom, panelTo) for rows [0, rows):
     * {@code out[r][j] = bias[j] + sum_i x[r][i] * W[i][j]}; {@code bias} may be null.
     */
    void multiply(float[][] x, int rows, float[] bias, float[][] out, int panelFrom, int panelTo);

    /** Multiplies all columns, splitting the panels across the threads of {@code parallel}. */
    default void multiply(Parallel parallel, float[][] x, int rows, float[] bias, float[][] out) {
        parallel.forRange(panels(), (from, to) -> multiply(x, rows, bias, out, from, to));
    }
}

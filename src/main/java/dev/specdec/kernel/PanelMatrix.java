package dev.specdec.kernel;

import static dev.specdec.kernel.PanelLayout.WIDTH;

/**
 * What every weight format shares: the panel bookkeeping, the parallel conversion at load time and
 * the loop that runs a batch through a range of panels, four rows per pass over a panel then the
 * remaining rows one by one. A format supplies the two kernels; both must sum each output over the
 * input index in increasing order with the same operations, so a row's result never depends on
 * whether it went through {@link #multiply4} or {@link #multiply1}.
 */
abstract sealed class PanelMatrix implements WeightMatrix permits F32Matrix, Bf16Matrix, F16Matrix, Q8Matrix {

    /** Converts one panel, given as float32 values {@code [input][WIDTH]}, into a format's arrays. */
    @FunctionalInterface
    interface PanelEncoder {
        void encode(int panel, float[] values);
    }

    final int inputSize;
    final int outputSize;
    final int panels;
    /** Elements per panel: {@code inputSize * WIDTH}. */
    final int panelSize;

    PanelMatrix(int inputSize, int outputSize) {
        if (inputSize < 1 || outputSize < 1) {
            throw new IllegalArgumentException("matrix shape " + inputSize + " x " + outputSize);
        }
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.panels = PanelLayout.panels(outputSize);
        this.panelSize = Math.multiplyExact(inputSize, WIDTH);
        Math.multiplyExact(panels, panelSize);
    }

    /** Length of the packed element array. */
    final int packedLength() {
        return panels * panelSize;
    }

    /** Reads every panel from {@code source} and encodes it, the panels split across the team. */
    final void encodeAll(PanelSource source, Parallel parallel, PanelEncoder encoder) {
        parallel.forRange(panels, (from, to) -> {
            float[] values = new float[panelSize];
            for (int p = from; p < to; p++) {
                source.read(p, values, 0);
                encoder.encode(p, values);
            }
        });
    }

    @Override
    public final int inputSize() {
        return inputSize;
    }

    @Override
    public final int outputSize() {
        return outputSize;
    }

    @Override
    public final int panels() {
        return panels;
    }

    @Override
    public final void multiply(float[][] x, int rows, float[] bias, float[][] out, int panelFrom, int panelTo) {
        for (int p = panelFrom; p < panelTo; p++) {
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                multiply4(p, x[r], x[r + 1], x[r + 2], x[r + 3], bias, out[r], out[r + 1], out[r + 2], out[r + 3]);
            }
            for (; r < rows; r++) {
                multiply1(p, x[r], bias, out[r]);
            }
        }
    }

    /** Writes panel {@code panel}'s columns of {@code x W + bias} into {@code out}. */
    abstract void multiply1(int panel, float[] x, float[] bias, float[] out);

    /** {@link #multiply1} for four rows with one pass over the panel. */
    abstract void multiply4(int panel, float[] x0, float[] x1, float[] x2, float[] x3, float[] bias,
                            float[] o0, float[] o1, float[] o2, float[] o3);
}

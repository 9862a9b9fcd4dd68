package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.specdec.kernel.PanelLayout.LANES;
import static dev.specdec.kernel.PanelLayout.WIDTH;

/** Float32 weights in {@link PanelLayout}. */
public final class F32Matrix implements WeightMatrix {

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;

    private final int inputSize;
    private final int outputSize;
    private final int panels;
    private final float[] packed;

    /** @param w row-major [input][output] weights */
    public F32Matrix(float[] w, int inputSize, int outputSize) {
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.panels = PanelLayout.panels(outputSize);
        this.packed = PanelLayout.toPanels(w, inputSize, outputSize);
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public int outputSize() {
        return outputSize;
    }

    @Override
    public int panels() {
        return panels;
    }

    @Override
    public long bytes() {
        return (long) inputSize * outputSize * Float.BYTES;
    }

    @Override
    public void multiply(float[][] x, int rows, float[] bias, float[][] out, int panelFrom, int panelTo) {
        for (int p = panelFrom; p < panelTo; p++) {
            int base = p * inputSize * WIDTH;
            int col = p * WIDTH;
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                multiply4(x[r], x[r + 1], x[r + 2], x[r + 3], base, bias, col,
                        out[r], out[r + 1], out[r + 2], out[r + 3]);
            }
            for (; r < rows; r++) {
                multiply1(x[r], base, bias, col, out[r]);
            }
        }
    }

    private void multiply1(float[] x, int base, float[] bias, int col, float[] out) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int w = base;
        for (int i = 0; i < inputSize; i++, w += WIDTH) {
            FloatVector b = FloatVector.broadcast(S, x[i]);
            a0 = FloatVector.fromArray(S, packed, w).fma(b, a0);
            a1 = FloatVector.fromArray(S, packed, w + LANES).fma(b, a1);
            a2 = FloatVector.fromArray(S, packed, w + 2 * LANES).fma(b, a2);
            a3 = FloatVector.fromArray(S, packed, w + 3 * LANES).fma(b, a3);
        }
        PanelStore.store(a0, a1, a2, a3, bias, col, out, outputSize);
    }

    private void multiply4(float[] x0, float[] x1, float[] x2, float[] x3, int base, float[] bias, int col,
                           float[] o0, float[] o1, float[] o2, float[] o3) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z;
        FloatVector a30 = z, a31 = z, a32 = z, a33 = z;
        int w = base;
        for (int i = 0; i < inputSize; i++, w += WIDTH) {
            FloatVector w0 = FloatVector.fromArray(S, packed, w);
            FloatVector w1 = FloatVector.fromArray(S, packed, w + LANES);
            FloatVector w2 = FloatVector.fromArray(S, packed, w + 2 * LANES);
            FloatVector w3 = FloatVector.fromArray(S, packed, w + 3 * LANES);
            FloatVector b = FloatVector.broadcast(S, x0[i]);
            a00 = w0.fma(b, a00); a01 = w1.fma(b, a01); a02 = w2.fma(b, a02); a03 = w3.fma(b, a03);
            b = FloatVector.broadcast(S, x1[i]);
            a10 = w0.fma(b, a10); a11 = w1.fma(b, a11); a12 = w2.fma(b, a12); a13 = w3.fma(b, a13);
            b = FloatVector.broadcast(S, x2[i]);
            a20 = w0.fma(b, a20); a21 = w1.fma(b, a21); a22 = w2.fma(b, a22); a23 = w3.fma(b, a23);
            b = FloatVector.broadcast(S, x3[i]);
            a30 = w0.fma(b, a30); a31 = w1.fma(b, a31); a32 = w2.fma(b, a32); a33 = w3.fma(b, a33);
        }
        PanelStore.store(a00, a01, a02, a03, bias, col, o0, outputSize);
        PanelStore.store(a10, a11, a12, a13, bias, col, o1, outputSize);
        PanelStore.store(a20, a21, a22, a23, bias, col, o2, outputSize);
        PanelStore.store(a30, a31, a32, a33, bias, col, o3, outputSize);
    }
}

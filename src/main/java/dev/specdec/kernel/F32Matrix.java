package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

import static dev.specdec.kernel.PanelLayout.LANES;
import static dev.specdec.kernel.PanelLayout.WIDTH;

/** Float32 weights in {@link PanelLayout}. */
public final class F32Matrix extends PanelMatrix {

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;

    private final MemorySegment packed;

    private F32Matrix(int inputSize, int outputSize, List<MemorySegment> storage) {
        super(inputSize, outputSize);
        this.packed = stored(storage, 1, 0, (long) packedLength() * Float.BYTES);
    }

    /** The matrix saved as {@link #storage()}, without copying it. */
    public static F32Matrix fromStorage(int inputSize, int outputSize, List<MemorySegment> storage) {
        return new F32Matrix(inputSize, outputSize, storage);
    }

    /** Copies W from {@code source}, the panels split across {@code parallel}'s threads. */
    public F32Matrix(PanelSource source, int inputSize, int outputSize, Parallel parallel) {
        super(inputSize, outputSize);
        this.packed = allocate((long) packedLength() * Float.BYTES);
        encodeAll(source, parallel, (panel, values) -> MemorySegment.copy(values, 0, packed, ValueLayout.JAVA_FLOAT,
                (long) panel * panelSize * Float.BYTES, panelSize));
    }

    @Override
    public long bytes() {
        return packed.byteSize();
    }

    @Override
    public List<MemorySegment> storage() {
        return List.of(packed);
    }

    private FloatVector load(int offset) {
        return FloatVector.fromMemorySegment(S, packed, (long) offset * Float.BYTES, ByteOrder.nativeOrder());
    }

    @Override
    public void multiply(float[][] x, int rows, float[] bias, float[][] out, int panelFrom, int panelTo) {
        float[] acc = accumulators();
        for (int p = panelFrom; p < panelTo; p++) {
            int r = 0;
            for (; rows - r >= 2; r += 6) {
                multiply6(p, x[r], x[r + 1], input(x, r + 2, rows), input(x, r + 3, rows), input(x, r + 4, rows),
                        input(x, r + 5, rows), bias, out[r], out[r + 1], output(out, r + 2, rows),
                        output(out, r + 3, rows), output(out, r + 4, rows), output(out, r + 5, rows), acc);
            }
            if (r < rows) {
                multiply1(p, x[r], bias, out[r], acc);
            }
        }
    }

    @Override
    void multiply1(int panel, float[] x, float[] bias, float[] out, float[] acc) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int w = panel * panelSize;
        for (int i = 0; i < inputSize; i++, w += WIDTH) {
            FloatVector b = FloatVector.broadcast(S, x[i]);
            a0 = load(w).fma(b, a0);
            a1 = load(w + LANES).fma(b, a1);
            a2 = load(w + 2 * LANES).fma(b, a2);
            a3 = load(w + 3 * LANES).fma(b, a3);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, LANES);
        a2.intoArray(acc, 2 * LANES);
        a3.intoArray(acc, 3 * LANES);
        PanelStore.store(acc, 0, bias, panel * WIDTH, out, outputSize);
    }

    /**
     * {@link #multiply1} for six rows with one pass over the panel: 24 accumulators, the four weight
     * vectors and a broadcast fit AVX-512's 32 registers without the Q8_0 and 16-bit formats' widening
     * temporaries. Six rather than those formats' five because a draft of five tokens verifies six:
     * with a five-row kernel the sixth row took a second, one-row pass over every panel, 1.3x the time
     * of one pass (alternated, demo output layer); a partial group of two to five rows costs about
     * what it would with fewer accumulators, the pass being bound by memory.
     */
    private void multiply6(int panel, float[] x0, float[] x1, float[] x2, float[] x3, float[] x4, float[] x5,
                           float[] bias, float[] o0, float[] o1, float[] o2, float[] o3, float[] o4, float[] o5,
                           float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z;
        FloatVector a30 = z, a31 = z, a32 = z, a33 = z;
        FloatVector a40 = z, a41 = z, a42 = z, a43 = z;
        FloatVector a50 = z, a51 = z, a52 = z, a53 = z;
        int w = panel * panelSize;
        for (int i = 0; i < inputSize; i++, w += WIDTH) {
            FloatVector w0 = load(w);
            FloatVector w1 = load(w + LANES);
            FloatVector w2 = load(w + 2 * LANES);
            FloatVector w3 = load(w + 3 * LANES);
            FloatVector b;
            b = FloatVector.broadcast(S, x0[i]);
            a00 = w0.fma(b, a00); a01 = w1.fma(b, a01); a02 = w2.fma(b, a02); a03 = w3.fma(b, a03);
            b = FloatVector.broadcast(S, x1[i]);
            a10 = w0.fma(b, a10); a11 = w1.fma(b, a11); a12 = w2.fma(b, a12); a13 = w3.fma(b, a13);
            b = FloatVector.broadcast(S, x2[i]);
            a20 = w0.fma(b, a20); a21 = w1.fma(b, a21); a22 = w2.fma(b, a22); a23 = w3.fma(b, a23);
            b = FloatVector.broadcast(S, x3[i]);
            a30 = w0.fma(b, a30); a31 = w1.fma(b, a31); a32 = w2.fma(b, a32); a33 = w3.fma(b, a33);
            b = FloatVector.broadcast(S, x4[i]);
            a40 = w0.fma(b, a40); a41 = w1.fma(b, a41); a42 = w2.fma(b, a42); a43 = w3.fma(b, a43);
            b = FloatVector.broadcast(S, x5[i]);
            a50 = w0.fma(b, a50); a51 = w1.fma(b, a51); a52 = w2.fma(b, a52); a53 = w3.fma(b, a53);
        }
        a00.intoArray(acc, 0);
        a01.intoArray(acc, LANES);
        a02.intoArray(acc, 2 * LANES);
        a03.intoArray(acc, 3 * LANES);
        a10.intoArray(acc, WIDTH);
        a11.intoArray(acc, WIDTH + LANES);
        a12.intoArray(acc, WIDTH + 2 * LANES);
        a13.intoArray(acc, WIDTH + 3 * LANES);
        a20.intoArray(acc, 2 * WIDTH);
        a21.intoArray(acc, 2 * WIDTH + LANES);
        a22.intoArray(acc, 2 * WIDTH + 2 * LANES);
        a23.intoArray(acc, 2 * WIDTH + 3 * LANES);
        a30.intoArray(acc, 3 * WIDTH);
        a31.intoArray(acc, 3 * WIDTH + LANES);
        a32.intoArray(acc, 3 * WIDTH + 2 * LANES);
        a33.intoArray(acc, 3 * WIDTH + 3 * LANES);
        a40.intoArray(acc, 4 * WIDTH);
        a41.intoArray(acc, 4 * WIDTH + LANES);
        a42.intoArray(acc, 4 * WIDTH + 2 * LANES);
        a43.intoArray(acc, 4 * WIDTH + 3 * LANES);
        a50.intoArray(acc, 5 * WIDTH);
        a51.intoArray(acc, 5 * WIDTH + LANES);
        a52.intoArray(acc, 5 * WIDTH + 2 * LANES);
        a53.intoArray(acc, 5 * WIDTH + 3 * LANES);
        int col = panel * WIDTH;
        PanelStore.store(acc, 0, bias, col, o0, outputSize);
        PanelStore.store(acc, 1, bias, col, o1, outputSize);
        PanelStore.store(acc, 2, bias, col, o2, outputSize);
        PanelStore.store(acc, 3, bias, col, o3, outputSize);
        PanelStore.store(acc, 4, bias, col, o4, outputSize);
        PanelStore.store(acc, 5, bias, col, o5, outputSize);
    }
}

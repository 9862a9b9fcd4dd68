package dev.specdec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

import static dev.specdec.kernel.PanelLayout.LANES;
import static dev.specdec.kernel.PanelLayout.WIDTH;

/**
 * Bfloat16 weights in {@link PanelLayout}: float32 rounded to the nearest even 16-bit prefix, half
 * the bytes to stream. Widening back is exact (a shift), so the kernel is the float32 one on the
 * rounded weights.
 */
public final class Bf16Matrix extends PanelMatrix {

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class,
            VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);

    private final MemorySegment packed;

    private Bf16Matrix(int inputSize, int outputSize, List<MemorySegment> storage) {
        super(inputSize, outputSize);
        this.packed = stored(storage, 1, 0, (long) packedLength() * Short.BYTES);
    }

    /** The matrix saved as {@link #storage()}, without copying it. */
    public static Bf16Matrix fromStorage(int inputSize, int outputSize, List<MemorySegment> storage) {
        return new Bf16Matrix(inputSize, outputSize, storage);
    }

    /** Rounds W from {@code source} to bfloat16, the panels split across {@code parallel}'s threads. */
    public Bf16Matrix(PanelSource source, int inputSize, int outputSize, Parallel parallel) {
        super(inputSize, outputSize);
        this.packed = allocate((long) packedLength() * Short.BYTES);
        encodeAll(source, parallel, (panel, values) -> {
            long base = (long) panel * panelSize;
            for (int k = 0; k < values.length; k++) {
                packed.setAtIndex(ValueLayout.JAVA_SHORT, base + k, round(values[k]));
            }
        });
    }

    /** {@code value} rounded to bfloat16 (nearest, ties to even), as its bits. */
    public static short round(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The float32 value of bfloat16 bits. */
    public static float widen(short bits) {
        return Float.intBitsToFloat(bits << 16);
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
        IntVector wide = (IntVector) ShortVector.fromMemorySegment(H, packed, (long) offset * Short.BYTES,
                ByteOrder.nativeOrder()).convertShape(VectorOperators.S2I, I, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    @Override
    public void multiply(float[][] x, int rows, float[] bias, float[][] out, int panelFrom, int panelTo) {
        float[] acc = accumulators();
        for (int p = panelFrom; p < panelTo; p++) {
            int r = 0;
            for (; rows - r >= 2; r += 5) {
                multiply5(p, x[r], x[r + 1], input(x, r + 2, rows), input(x, r + 3, rows), input(x, r + 4, rows),
                        bias, out[r], out[r + 1], output(out, r + 2, rows), output(out, r + 3, rows),
                        output(out, r + 4, rows), acc);
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

    /** {@link #multiply1} for five rows with one pass over the panel; a null output row is not stored. */
    private void multiply5(int panel, float[] x0, float[] x1, float[] x2, float[] x3, float[] x4, float[] bias,
                   float[] o0, float[] o1, float[] o2, float[] o3, float[] o4, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z;
        FloatVector a30 = z, a31 = z, a32 = z, a33 = z;
        FloatVector a40 = z, a41 = z, a42 = z, a43 = z;
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
        int col = panel * WIDTH;
        PanelStore.store(acc, 0, bias, col, o0, outputSize);
        PanelStore.store(acc, 1, bias, col, o1, outputSize);
        PanelStore.store(acc, 2, bias, col, o2, outputSize);
        PanelStore.store(acc, 3, bias, col, o3, outputSize);
        PanelStore.store(acc, 4, bias, col, o4, outputSize);
    }
}

package dev.specdec.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Arrays;

import static dev.specdec.kernel.PanelLayout.LANES;
import static dev.specdec.kernel.PanelLayout.WIDTH;

/**
 * Q8_0 weights in {@link PanelLayout}, as llama.cpp's Q8_0: blocks of {@link #BLOCK} weights share one
 * float scale {@code max|w| / 127} and store {@code round(w / scale)} as bytes. As in llama.cpp a block
 * runs along the input (the summed-over) dimension: {@code BLOCK} consecutive input rows of one output
 * column. The kernels therefore sum a block's unscaled products {@code q * x} in registers and apply
 * the column's scales once per block with one fused multiply-add per register, instead of scaling
 * every weight or every input (which made Q8_0 compute-bound): 1.125 bytes per weight streamed, and
 * per weight vector only a load, a widening and a fused multiply-add.
 */
public final class Q8Matrix extends PanelMatrix {

    /** Input rows per block. */
    public static final int BLOCK = 32;

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;
    /** Bytes loaded per vector: at least 8 (the narrowest byte vector), of which LANES are used. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(Math.max(64, S.vectorBitSize() / 4)));

    private final MemorySegment quants;
    /** Blocks per panel column: {@code ceil(inputSize / BLOCK)}, the last one possibly shorter. */
    private final int blocks;
    /** One scale per block and column: {@code [(panel * blocks + block) * WIDTH + column]}. */
    private final MemorySegment scales;

    private Q8Matrix(int inputSize, int outputSize, List<MemorySegment> storage) {
        super(inputSize, outputSize);
        this.blocks = (inputSize + BLOCK - 1) / BLOCK;
        this.quants = stored(storage, 2, 0, packedLength() + B.length() - LANES);
        this.scales = stored(storage, 2, 1, (long) panels * blocks * WIDTH * Float.BYTES);
    }

    /** The matrix saved as {@link #storage()}, without copying it. */
    public static Q8Matrix fromStorage(int inputSize, int outputSize, List<MemorySegment> storage) {
        return new Q8Matrix(inputSize, outputSize, storage);
    }

    /** Quantises W from {@code source}, the panels split across {@code parallel}'s threads. */
    public Q8Matrix(PanelSource source, int inputSize, int outputSize, Parallel parallel) {
        super(inputSize, outputSize);
        this.quants = allocate(packedLength() + B.length() - LANES);
        this.blocks = (inputSize + BLOCK - 1) / BLOCK;
        this.scales = allocate((long) panels * blocks * WIDTH * Float.BYTES);
        encodeAll(source, parallel, (panel, values) -> {
            byte[] q = new byte[panelSize];
            for (int b = 0; b < blocks; b++) {
                int from = b * BLOCK;
                int count = Math.min(BLOCK, inputSize - from);
                for (int c = 0; c < WIDTH; c++) {
                    float scale = quantise(values, from * WIDTH + c, WIDTH, count, q, from * WIDTH + c);
                    scales.setAtIndex(ValueLayout.JAVA_FLOAT, ((long) panel * blocks + b) * WIDTH + c, scale);
                }
            }
            MemorySegment.copy(q, 0, quants, ValueLayout.JAVA_BYTE, (long) panel * panelSize, panelSize);
        });
    }

    /**
     * Quantises the {@code count} values {@code values[from + k * stride]} into
     * {@code out[at + k * stride]} and returns the block's scale: the weight {@code k} stands for
     * {@code out[at + k * stride] * scale}. Rounds as llama.cpp's reference quantiser:
     * {@code value * (1 / scale)}, halves away from zero.
     */
    public static float quantise(float[] values, int from, int stride, int count, byte[] out, int at) {
        float max = 0;
        for (int k = 0; k < count; k++) {
            max = Math.max(max, Math.abs(values[from + k * stride]));
        }
        float scale = max / 127;
        float inverse = scale == 0 ? 0 : 1 / scale;
        for (int k = 0; k < count; k++) {
            float scaled = values[from + k * stride] * inverse;
            int q = Math.min(127, Math.round(Math.abs(scaled)));
            out[at + k * stride] = (byte) (scaled < 0 ? -q : q);
        }
        return scale;
    }

    @Override
    public long bytes() {
        return (long) packedLength() + scales.byteSize();
    }

    @Override
    public List<MemorySegment> storage() {
        return List.of(quants, scales);
    }

    private FloatVector load(int offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, quants, offset, ByteOrder.nativeOrder())
                .convertShape(VectorOperators.B2F, S, 0);
    }

    private FloatVector scale(int offset) {
        return FloatVector.fromMemorySegment(S, scales, (long) offset * Float.BYTES, ByteOrder.nativeOrder());
    }

    @Override
    public void multiply(float[][] x, int rows, float[] bias, float[][] out, int panelFrom, int panelTo) {
        float[] acc = accumulators();
        for (int p = panelFrom; p < panelTo; p++) {
            int r = 0;
            for (; rows - r >= 3; r += 5) {
                multiply5(p, x[r], x[r + 1], x[r + 2], input(x, r + 3, rows), input(x, r + 4, rows),
                        bias, out[r], out[r + 1], out[r + 2], output(out, r + 3, rows),
                        output(out, r + 4, rows), acc);
            }
            if (rows - r == 2) {
                multiply2(p, x[r], x[r + 1], bias, out[r], out[r + 1], acc);
                r += 2;
            }
            if (r < rows) {
                multiply1(p, x[r], bias, out[r], acc);
            }
        }
    }

    @Override
    void multiply1(int panel, float[] x, float[] bias, float[] out, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        int w = panel * panelSize;
        int s = panel * blocks * WIDTH;
        for (int i0 = 0; i0 < inputSize; i0 += BLOCK, s += WIDTH) {
            int i1 = Math.min(inputSize, i0 + BLOCK);
            FloatVector t0 = z, t1 = z, t2 = z, t3 = z;
            for (int i = i0; i < i1; i++, w += WIDTH) {
                FloatVector b = FloatVector.broadcast(S, x[i]);
                t0 = load(w).fma(b, t0);
                t1 = load(w + LANES).fma(b, t1);
                t2 = load(w + 2 * LANES).fma(b, t2);
                t3 = load(w + 3 * LANES).fma(b, t3);
            }
            a0 = t0.fma(scale(s), a0);
            a1 = t1.fma(scale(s + LANES), a1);
            a2 = t2.fma(scale(s + 2 * LANES), a2);
            a3 = t3.fma(scale(s + 3 * LANES), a3);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, LANES);
        a2.intoArray(acc, 2 * LANES);
        a3.intoArray(acc, 3 * LANES);
        PanelStore.store(acc, 0, bias, panel * WIDTH, out, outputSize);
    }

    /**
     * Two rows, as a draft model catching up on its last draft token and the target's next one: unlike
     * {@link #multiply5} with three zero rows, this does no multiply-adds for rows that are not there,
     * and a Q8_0 pass is bound by its multiply-adds and widenings more than by memory.
     */
    private void multiply2(int panel, float[] x0, float[] x1, float[] bias, float[] o0, float[] o1, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z;
        int w = panel * panelSize;
        int s = panel * blocks * WIDTH;
        for (int i0 = 0; i0 < inputSize; i0 += BLOCK, s += WIDTH) {
            int i1 = Math.min(inputSize, i0 + BLOCK);
            FloatVector t00 = z, t01 = z, t02 = z, t03 = z;
            FloatVector t10 = z, t11 = z, t12 = z, t13 = z;
            for (int i = i0; i < i1; i++, w += WIDTH) {
                FloatVector w0 = load(w);
                FloatVector w1 = load(w + LANES);
                FloatVector w2 = load(w + 2 * LANES);
                FloatVector w3 = load(w + 3 * LANES);
                FloatVector b = FloatVector.broadcast(S, x0[i]);
                t00 = w0.fma(b, t00); t01 = w1.fma(b, t01); t02 = w2.fma(b, t02); t03 = w3.fma(b, t03);
                b = FloatVector.broadcast(S, x1[i]);
                t10 = w0.fma(b, t10); t11 = w1.fma(b, t11); t12 = w2.fma(b, t12); t13 = w3.fma(b, t13);
            }
            FloatVector s0 = scale(s);
            FloatVector s1 = scale(s + LANES);
            FloatVector s2 = scale(s + 2 * LANES);
            FloatVector s3 = scale(s + 3 * LANES);
            a00 = t00.fma(s0, a00); a01 = t01.fma(s1, a01); a02 = t02.fma(s2, a02); a03 = t03.fma(s3, a03);
            a10 = t10.fma(s0, a10); a11 = t11.fma(s1, a11); a12 = t12.fma(s2, a12); a13 = t13.fma(s3, a13);
        }
        a00.intoArray(acc, 0);
        a01.intoArray(acc, LANES);
        a02.intoArray(acc, 2 * LANES);
        a03.intoArray(acc, 3 * LANES);
        a10.intoArray(acc, WIDTH);
        a11.intoArray(acc, WIDTH + LANES);
        a12.intoArray(acc, WIDTH + 2 * LANES);
        a13.intoArray(acc, WIDTH + 3 * LANES);
        int col = panel * WIDTH;
        PanelStore.store(acc, 0, bias, col, o0, outputSize);
        PanelStore.store(acc, 1, bias, col, o1, outputSize);
    }

    /**
     * Five rows keep their 20 block sums in registers and their running totals in {@code acc}
     * (20 more registers would not fit); each block's totals get the same fused multiply-add
     * {@link #multiply1} applies in registers, so a row's result does not depend on the kernel.
     */
    private void multiply5(int panel, float[] x0, float[] x1, float[] x2, float[] x3, float[] x4, float[] bias,
                   float[] o0, float[] o1, float[] o2, float[] o3, float[] o4, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        Arrays.fill(acc, 0, 5 * WIDTH, 0f);
        int w = panel * panelSize;
        int s = panel * blocks * WIDTH;
        for (int i0 = 0; i0 < inputSize; i0 += BLOCK, s += WIDTH) {
            int i1 = Math.min(inputSize, i0 + BLOCK);
            FloatVector t00 = z, t01 = z, t02 = z, t03 = z;
            FloatVector t10 = z, t11 = z, t12 = z, t13 = z;
            FloatVector t20 = z, t21 = z, t22 = z, t23 = z;
            FloatVector t30 = z, t31 = z, t32 = z, t33 = z;
            FloatVector t40 = z, t41 = z, t42 = z, t43 = z;
            for (int i = i0; i < i1; i++, w += WIDTH) {
                FloatVector w0 = load(w);
                FloatVector w1 = load(w + LANES);
                FloatVector w2 = load(w + 2 * LANES);
                FloatVector w3 = load(w + 3 * LANES);
                FloatVector b;
                b = FloatVector.broadcast(S, x0[i]);
                t00 = w0.fma(b, t00); t01 = w1.fma(b, t01); t02 = w2.fma(b, t02); t03 = w3.fma(b, t03);
                b = FloatVector.broadcast(S, x1[i]);
                t10 = w0.fma(b, t10); t11 = w1.fma(b, t11); t12 = w2.fma(b, t12); t13 = w3.fma(b, t13);
                b = FloatVector.broadcast(S, x2[i]);
                t20 = w0.fma(b, t20); t21 = w1.fma(b, t21); t22 = w2.fma(b, t22); t23 = w3.fma(b, t23);
                b = FloatVector.broadcast(S, x3[i]);
                t30 = w0.fma(b, t30); t31 = w1.fma(b, t31); t32 = w2.fma(b, t32); t33 = w3.fma(b, t33);
                b = FloatVector.broadcast(S, x4[i]);
                t40 = w0.fma(b, t40); t41 = w1.fma(b, t41); t42 = w2.fma(b, t42); t43 = w3.fma(b, t43);
            }
            FloatVector s0 = scale(s);
            FloatVector s1 = scale(s + LANES);
            FloatVector s2 = scale(s + 2 * LANES);
            FloatVector s3 = scale(s + 3 * LANES);
            t00.fma(s0, FloatVector.fromArray(S, acc, 0)).intoArray(acc, 0);
            t01.fma(s1, FloatVector.fromArray(S, acc, LANES)).intoArray(acc, LANES);
            t02.fma(s2, FloatVector.fromArray(S, acc, 2 * LANES)).intoArray(acc, 2 * LANES);
            t03.fma(s3, FloatVector.fromArray(S, acc, 3 * LANES)).intoArray(acc, 3 * LANES);
            t10.fma(s0, FloatVector.fromArray(S, acc, WIDTH)).intoArray(acc, WIDTH);
            t11.fma(s1, FloatVector.fromArray(S, acc, WIDTH + LANES)).intoArray(acc, WIDTH + LANES);
            t12.fma(s2, FloatVector.fromArray(S, acc, WIDTH + 2 * LANES)).intoArray(acc, WIDTH + 2 * LANES);
            t13.fma(s3, FloatVector.fromArray(S, acc, WIDTH + 3 * LANES)).intoArray(acc, WIDTH + 3 * LANES);
            t20.fma(s0, FloatVector.fromArray(S, acc, 2 * WIDTH)).intoArray(acc, 2 * WIDTH);
            t21.fma(s1, FloatVector.fromArray(S, acc, 2 * WIDTH + LANES)).intoArray(acc, 2 * WIDTH + LANES);
            t22.fma(s2, FloatVector.fromArray(S, acc, 2 * WIDTH + 2 * LANES)).intoArray(acc, 2 * WIDTH + 2 * LANES);
            t23.fma(s3, FloatVector.fromArray(S, acc, 2 * WIDTH + 3 * LANES)).intoArray(acc, 2 * WIDTH + 3 * LANES);
            t30.fma(s0, FloatVector.fromArray(S, acc, 3 * WIDTH)).intoArray(acc, 3 * WIDTH);
            t31.fma(s1, FloatVector.fromArray(S, acc, 3 * WIDTH + LANES)).intoArray(acc, 3 * WIDTH + LANES);
            t32.fma(s2, FloatVector.fromArray(S, acc, 3 * WIDTH + 2 * LANES)).intoArray(acc, 3 * WIDTH + 2 * LANES);
            t33.fma(s3, FloatVector.fromArray(S, acc, 3 * WIDTH + 3 * LANES)).intoArray(acc, 3 * WIDTH + 3 * LANES);
            t40.fma(s0, FloatVector.fromArray(S, acc, 4 * WIDTH)).intoArray(acc, 4 * WIDTH);
            t41.fma(s1, FloatVector.fromArray(S, acc, 4 * WIDTH + LANES)).intoArray(acc, 4 * WIDTH + LANES);
            t42.fma(s2, FloatVector.fromArray(S, acc, 4 * WIDTH + 2 * LANES)).intoArray(acc, 4 * WIDTH + 2 * LANES);
            t43.fma(s3, FloatVector.fromArray(S, acc, 4 * WIDTH + 3 * LANES)).intoArray(acc, 4 * WIDTH + 3 * LANES);
        }
        int col = panel * WIDTH;
        PanelStore.store(acc, 0, bias, col, o0, outputSize);
        PanelStore.store(acc, 1, bias, col, o1, outputSize);
        PanelStore.store(acc, 2, bias, col, o2, outputSize);
        PanelStore.store(acc, 3, bias, col, o3, outputSize);
        PanelStore.store(acc, 4, bias, col, o4, outputSize);
    }
}

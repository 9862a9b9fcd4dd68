package dev.specdec.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import static dev.specdec.kernel.PanelLayout.LANES;
import static dev.specdec.kernel.PanelLayout.WIDTH;

/**
 * Q8_0 weights in {@link PanelLayout}, as llama.cpp's Q8_0: blocks of {@link #BLOCK} weights share one
 * float scale {@code max|w| / 127} and store {@code round(w / scale)} as bytes. A block is
 * {@code BLOCK} consecutive output columns of one input row, so a panel row holds whole blocks and
 * the kernel folds each block's scale into the broadcast input ({@code x[i] * scale}) instead of
 * scaling every weight: 1.125 bytes per weight streamed. The five-row kernel forms those products
 * as vectors (the same float products in every lane), which the compiler shares between registers
 * of one block, rather than as scalars it would broadcast one by one.
 */
public final class Q8Matrix extends PanelMatrix {

    /** Weights per block: 32, or the panel width on CPUs whose panels are narrower. */
    public static final int BLOCK = Math.min(32, WIDTH);

    private static final VectorSpecies<Float> S = PanelLayout.SPECIES;
    /** Bytes loaded per vector: at least 8 (the narrowest byte vector), of which LANES are used. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(Math.max(64, S.vectorBitSize() / 4)));
    private static final int BLOCKS_PER_PANEL = WIDTH / BLOCK;
    /** Block of each of a panel row's four vectors. */
    private static final int BLOCK0 = 0;
    private static final int BLOCK1 = LANES / BLOCK;
    private static final int BLOCK2 = 2 * LANES / BLOCK;
    private static final int BLOCK3 = 3 * LANES / BLOCK;

    private final byte[] quants;
    /** One scale per block: {@code [(panel * inputSize + i) * BLOCKS_PER_PANEL + block]}. */
    private final float[] scales;

    /** Quantises W from {@code source}, the panels split across {@code parallel}'s threads. */
    public Q8Matrix(PanelSource source, int inputSize, int outputSize, Parallel parallel) {
        super(inputSize, outputSize);
        this.quants = new byte[packedLength() + B.length() - LANES];
        this.scales = new float[packedLength() / BLOCK];
        encodeAll(source, parallel, (panel, values) -> {
            int base = panel * panelSize;
            for (int block = 0; block < values.length / BLOCK; block++) {
                int from = block * BLOCK;
                scales[base / BLOCK + block] = quantise(values, from, quants, base + from);
            }
        });
    }

    /**
     * Quantises {@code BLOCK} values from {@code values[from]} into {@code out[at..]} and returns the
     * block's scale: the weight {@code k} stands for {@code out[at + k] * scale}. Rounds as llama.cpp's
     * reference quantiser: {@code value * (1 / scale)}, halves away from zero.
     */
    public static float quantise(float[] values, int from, byte[] out, int at) {
        float max = 0;
        for (int k = 0; k < BLOCK; k++) {
            max = Math.max(max, Math.abs(values[from + k]));
        }
        float scale = max / 127;
        float inverse = scale == 0 ? 0 : 1 / scale;
        for (int k = 0; k < BLOCK; k++) {
            float scaled = values[from + k] * inverse;
            int q = Math.min(127, Math.round(Math.abs(scaled)));
            out[at + k] = (byte) (scaled < 0 ? -q : q);
        }
        return scale;
    }

    @Override
    public long bytes() {
        return (long) packedLength() + (long) scales.length * Float.BYTES;
    }

    private FloatVector load(int offset) {
        return (FloatVector) ByteVector.fromArray(B, quants, offset).convertShape(VectorOperators.B2F, S, 0);
    }

    @Override
    void multiply1(int panel, float[] x, float[] bias, float[] out, float[] acc) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int w = panel * panelSize;
        int s = panel * inputSize * BLOCKS_PER_PANEL;
        for (int i = 0; i < inputSize; i++, w += WIDTH, s += BLOCKS_PER_PANEL) {
            float xi = x[i];
            a0 = load(w).fma(FloatVector.broadcast(S, xi * scales[s + BLOCK0]), a0);
            a1 = load(w + LANES).fma(FloatVector.broadcast(S, xi * scales[s + BLOCK1]), a1);
            a2 = load(w + 2 * LANES).fma(FloatVector.broadcast(S, xi * scales[s + BLOCK2]), a2);
            a3 = load(w + 3 * LANES).fma(FloatVector.broadcast(S, xi * scales[s + BLOCK3]), a3);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, LANES);
        a2.intoArray(acc, 2 * LANES);
        a3.intoArray(acc, 3 * LANES);
        PanelStore.store(acc, 0, bias, panel * WIDTH, out, outputSize);
    }

    @Override
    void multiply5(int panel, float[] x0, float[] x1, float[] x2, float[] x3, float[] x4, float[] bias,
                   float[] o0, float[] o1, float[] o2, float[] o3, float[] o4, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z;
        FloatVector a30 = z, a31 = z, a32 = z, a33 = z;
        FloatVector a40 = z, a41 = z, a42 = z, a43 = z;
        int w = panel * panelSize;
        int s = panel * inputSize * BLOCKS_PER_PANEL;
        for (int i = 0; i < inputSize; i++, w += WIDTH, s += BLOCKS_PER_PANEL) {
            FloatVector w0 = load(w);
            FloatVector w1 = load(w + LANES);
            FloatVector w2 = load(w + 2 * LANES);
            FloatVector w3 = load(w + 3 * LANES);
            FloatVector s0 = FloatVector.broadcast(S, scales[s + BLOCK0]);
            FloatVector s1 = FloatVector.broadcast(S, scales[s + BLOCK1]);
            FloatVector s2 = FloatVector.broadcast(S, scales[s + BLOCK2]);
            FloatVector s3 = FloatVector.broadcast(S, scales[s + BLOCK3]);
            FloatVector x;
            x = FloatVector.broadcast(S, x0[i]);
            a00 = w0.fma(x.mul(s0), a00);
            a01 = w1.fma(x.mul(s1), a01);
            a02 = w2.fma(x.mul(s2), a02);
            a03 = w3.fma(x.mul(s3), a03);
            x = FloatVector.broadcast(S, x1[i]);
            a10 = w0.fma(x.mul(s0), a10);
            a11 = w1.fma(x.mul(s1), a11);
            a12 = w2.fma(x.mul(s2), a12);
            a13 = w3.fma(x.mul(s3), a13);
            x = FloatVector.broadcast(S, x2[i]);
            a20 = w0.fma(x.mul(s0), a20);
            a21 = w1.fma(x.mul(s1), a21);
            a22 = w2.fma(x.mul(s2), a22);
            a23 = w3.fma(x.mul(s3), a23);
            x = FloatVector.broadcast(S, x3[i]);
            a30 = w0.fma(x.mul(s0), a30);
            a31 = w1.fma(x.mul(s1), a31);
            a32 = w2.fma(x.mul(s2), a32);
            a33 = w3.fma(x.mul(s3), a33);
            x = FloatVector.broadcast(S, x4[i]);
            a40 = w0.fma(x.mul(s0), a40);
            a41 = w1.fma(x.mul(s1), a41);
            a42 = w2.fma(x.mul(s2), a42);
            a43 = w3.fma(x.mul(s3), a43);
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

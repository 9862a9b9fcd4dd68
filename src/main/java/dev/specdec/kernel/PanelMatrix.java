package dev.specdec.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static dev.specdec.kernel.PanelLayout.WIDTH;

/**
 * What every weight format shares: the panel bookkeeping, the parallel conversion at load time and
 * the pieces of the loop that runs a batch through a range of panels, a group of rows per pass over
 * a panel (a partial group padded with zero rows whose results are dropped) and a last single row
 * on its own. A group is as many rows as keep their accumulators (four registers a row) and the four
 * weight vectors in AVX-512's 32 registers: six for f32, five for the formats that also need
 * registers to widen their weights. A speculative step of k drafts verifies k + 1 tokens in one pass
 * over the weights, one memory-bound stream, for k up to 5 (f32) or 4. A format supplies a one-row
 * and a group kernel; both must sum each output over the input index in increasing order with the
 * same operations, so a row's result never depends on which kernel computed it.
 */
abstract sealed class PanelMatrix implements WeightMatrix permits F32Matrix, Bf16Matrix, F16Matrix, Q8Matrix {

    /** Converts one panel, given as float32 values {@code [input][WIDTH]}, into a format's arrays. */
    @FunctionalInterface
    interface PanelEncoder {
        void encode(int panel, float[] values);
    }

    /** Per thread: the accumulators of a group of rows on their way to the output (see {@link PanelStore}). */
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[6 * WIDTH]);

    final int inputSize;
    final int outputSize;
    final int panels;
    /** Elements per panel: {@code inputSize * WIDTH}. */
    final int panelSize;
    /** Input of the padding rows of a partial group of five. */
    private final float[] zeros;

    PanelMatrix(int inputSize, int outputSize) {
        if (inputSize < 1 || outputSize < 1) {
            throw new IllegalArgumentException("matrix shape " + inputSize + " x " + outputSize);
        }
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.panels = PanelLayout.panels(outputSize);
        this.panelSize = Math.multiplyExact(inputSize, WIDTH);
        Math.multiplyExact(panels, panelSize); // the packed arrays are indexed by int
        this.zeros = new float[inputSize];
    }

    /**
     * Zeroed off-heap storage for packed weights, aligned to 64 bytes: a 512-bit load from a Java
     * array (whose elements start 16 bytes into the object) straddles two cache lines, and aligned
     * loads made the kernels a fifth (one row) to a third (five rows) faster. Freed by the garbage
     * collector once the matrix is unreachable, so no kernel can read freed memory.
     */
    static MemorySegment allocate(long bytes) {
        return Arena.ofAuto().allocate(bytes, ALIGNMENT);
    }

    /** Alignment of packed storage in bytes. */
    static final long ALIGNMENT = 64;

    /**
     * Segment {@code index} of saved storage, checked against the size this shape needs.
     *
     * @throws IllegalArgumentException when the storage does not fit the shape
     */
    static MemorySegment stored(List<MemorySegment> storage, int count, int index, long bytes) {
        if (storage.size() != count) {
            throw new IllegalArgumentException("expected " + count + " packed arrays, got " + storage.size());
        }
        MemorySegment segment = storage.get(index);
        if (segment.byteSize() != bytes || segment.address() % ALIGNMENT != 0) {
            throw new IllegalArgumentException("packed array " + index + " has " + segment.byteSize()
                    + " bytes at address " + segment.address() + "; expected " + bytes + " bytes, 64-byte aligned");
        }
        return segment;
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

    /** This thread's scratch for a group's accumulators (see {@link PanelStore}). */
    static float[] accumulators() {
        return ACCUMULATORS.get();
    }

    /** Input row {@code r}, or zeros for a padding row of a partial group. */
    final float[] input(float[][] x, int r, int rows) {
        return r < rows ? x[r] : zeros;
    }

    /** Output row {@code r}, or null (not stored) for a padding row. */
    static float[] output(float[][] out, int r, int rows) {
        return r < rows ? out[r] : null;
    }

    /*
     * Each format repeats the same short loop over panels and groups of rows in its own multiply(...)
     * rather than inheriting one from here: a shared loop's calls to the kernels see every
     * format loaded in the process (an f32 target with a q8_0 draft, say), and the just-in-time
     * compiler then inlined one format's kernel into it and left another running in code it
     * compiled on stack replacement, up to 5x slower (bf16 steps of 26 ms instead of 5 ms after an
     * f32 phase). A loop per format keeps every call site monomorphic.
     */

    /**
     * Writes panel {@code panel}'s columns of {@code x W + bias} into {@code out}, through the scratch
     * {@code acc} of {@code 6 * WIDTH} floats (see {@link PanelStore}).
     */
    abstract void multiply1(int panel, float[] x, float[] bias, float[] out, float[] acc);
}

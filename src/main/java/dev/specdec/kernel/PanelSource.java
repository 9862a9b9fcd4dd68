package dev.specdec.kernel;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Supplies a weight matrix W [input][output] one column panel at a time, so that a weight format can
 * convert a checkpoint tensor straight into its packed array without a full intermediate copy.
 */
@FunctionalInterface
public interface PanelSource {

    /** Reads float32 elements of a flat array, e.g. a memory-mapped tensor. Must be thread-safe. */
    @FunctionalInterface
    interface Elements {
        void read(long fromIndex, float[] dst, int dstOffset, int count);
    }

    /**
     * Writes panel {@code panel} to {@code dst} from {@code offset}:
     * {@code dst[offset + i * WIDTH + c] = W[i][panel * WIDTH + c]}, zero past the last column.
     * Called from several threads at once, for different panels.
     */
    void read(int panel, float[] dst, int offset);

    /** W stored row-major, {@code W[i][j]} at index {@code i * outputSize + j} (Conv1D weights). */
    static PanelSource rowMajor(Elements w, int inputSize, int outputSize) {
        return rowMajor(w, outputSize, 0, inputSize, IntStream.range(0, outputSize).toArray());
    }

    /**
     * A block of a row-major W with {@code stride} columns: rows [firstRow, firstRow + inputSize) and
     * the columns listed in {@code columns}, in that order (a shard of a layer, say).
     */
    static PanelSource rowMajor(Elements w, int stride, int firstRow, int inputSize, int[] columns) {
        return (panel, dst, offset) -> {
            int col = panel * PanelLayout.WIDTH;
            int count = Math.min(PanelLayout.WIDTH, columns.length - col);
            for (int i = 0; i < inputSize; i++) {
                int at = offset + i * PanelLayout.WIDTH;
                long row = (long) (firstRow + i) * stride;
                // One read per run of adjacent source columns.
                for (int j = 0; j < count; ) {
                    int run = 1;
                    while (j + run < count && columns[col + j + run] == columns[col + j] + run) {
                        run++;
                    }
                    w.read(row + columns[col + j], dst, at + j, run);
                    j += run;
                }
                Arrays.fill(dst, at + count, at + PanelLayout.WIDTH, 0f);
            }
        };
    }

    /** A row-major array. */
    static PanelSource rowMajor(float[] w, int inputSize, int outputSize) {
        return rowMajor((from, dst, offset, count) -> System.arraycopy(w, (int) from, dst, offset, count),
                inputSize, outputSize);
    }

    /** W stored transposed, {@code W[i][j]} at index {@code j * inputSize + i} (Linear weights). */
    static PanelSource columnMajor(Elements w, int inputSize, int outputSize) {
        return (panel, dst, offset) -> {
            int col = panel * PanelLayout.WIDTH;
            int count = Math.min(PanelLayout.WIDTH, outputSize - col);
            float[] column = new float[inputSize];
            for (int c = 0; c < PanelLayout.WIDTH; c++) {
                if (c < count) {
                    w.read((long) (col + c) * inputSize, column, 0, inputSize);
                } else {
                    Arrays.fill(column, 0f);
                }
                for (int i = 0; i < inputSize; i++) {
                    dst[offset + i * PanelLayout.WIDTH + c] = column[i];
                }
            }
        };
    }
}

package dev.specdec.kernel;

import dev.specdec.model.WeightFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every weight format's kernels against the scalar reference, and their batch and thread invariance. */
class WeightMatrixTest {

    private static final Parallel ONE = new Parallel(1);
    private static final Parallel TWO = new Parallel(2);
    private static final Parallel THREE = new Parallel(3);

    /** Shapes around the panel width: one column, a partial panel, whole panels plus a remainder. */
    private static final int[][] SHAPES = {
            {1, 1}, {3, 50}, {33, PanelLayout.WIDTH}, {70, PanelLayout.WIDTH + 37}, {100, 3 * PanelLayout.WIDTH + 5}};

    static List<Arguments> formatsAndShapes() {
        List<Arguments> cases = new ArrayList<>();
        for (WeightFormat format : WeightFormat.values()) {
            for (int[] shape : SHAPES) {
                cases.add(Arguments.of(format, shape[0], shape[1]));
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("formatsAndShapes")
    void everyRowMatchesTheScalarReferenceOnTheFormatsRoundedWeights(WeightFormat format, int in, int out) {
        Random random = new Random(31L * in + out);
        float[] w = gaussian(random, in * out, 0.5f);
        float[] bias = gaussian(random, out, 1f);
        float[][] x = rows(random, 9, in);
        WeightMatrix m = format.pack(PanelSource.rowMajor(w, in, out), in, out, TWO);
        float[] exact = ScalarReference.rounded(format, w, in, out);
        for (int rows = 1; rows <= 9; rows++) {
            float[][] y = new float[rows][out];
            m.multiply(TWO, x, rows, bias, y);
            for (int r = 0; r < rows; r++) {
                double[] expected = ScalarReference.multiply(x[r], exact, in, out, bias);
                double[] bound = ScalarReference.roundingBound(x[r], exact, in, out, bias);
                for (int j = 0; j < out; j++) {
                    assertEquals(expected[j], y[r][j], bound[j],
                            format + " " + in + "x" + out + ", batch of " + rows + ", row " + r + ", column " + j);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("formatsAndShapes")
    void roundingStaysWithinTheFormatsPrecision(WeightFormat format, int in, int out) {
        Random random = new Random(17L * in + out);
        float[] w = gaussian(random, in * out, 0.5f);
        float[] x = gaussian(random, in, 1f);
        WeightMatrix m = format.pack(PanelSource.rowMajor(w, in, out), in, out, ONE);
        float[][] y = new float[1][out];
        m.multiply(ONE, new float[][] {x}, 1, null, y);
        double[] expected = ScalarReference.multiply(x, w, in, out, null);
        double[] accumulation = ScalarReference.roundingBound(x, w, in, out, null);
        float[] halfStep = ScalarReference.q8HalfSteps(w, in, out);
        for (int j = 0; j < out; j++) {
            double weightError = 0;
            for (int i = 0; i < in; i++) {
                double perWeight = switch (format) {
                    case F32 -> 0;
                    case BF16 -> 0x1p-8 * Math.abs(w[i * out + j]);
                    case F16 -> 0x1p-11 * Math.abs(w[i * out + j]) + 0x1p-25;
                    case Q8_0 -> halfStep[i * out + j] * 1.001;
                };
                weightError += Math.abs(x[i]) * perWeight;
            }
            assertEquals(expected[j], y[0][j], 2 * accumulation[j] + weightError,
                    format + " " + in + "x" + out + ", column " + j + " against float32 weights");
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void aRowGivesTheSameBitsAloneInABatchAndWhateverTheThreadSplit(WeightFormat format) {
        int in = 70;
        int out = 5 * PanelLayout.WIDTH + 11;
        Random random = new Random(5);
        float[] w = gaussian(random, in * out, 0.5f);
        float[] bias = gaussian(random, out, 1f);
        float[][] x = rows(random, 9, in);
        WeightMatrix m = format.pack(PanelSource.rowMajor(w, in, out), in, out, THREE);
        float[][] alone = new float[9][];
        for (int r = 0; r < 9; r++) {
            float[][] y = new float[1][out];
            m.multiply(ONE, new float[][] {x[r]}, 1, bias, y);
            alone[r] = y[0];
        }
        for (Parallel parallel : new Parallel[] {ONE, TWO, THREE}) {
            for (int rows = 2; rows <= 9; rows++) {
                float[][] y = new float[rows][out];
                m.multiply(parallel, x, rows, bias, y);
                for (int r = 0; r < rows; r++) {
                    assertArrayEquals(alone[r], y[r], format + ": row " + r + " of a batch of " + rows
                            + " on " + parallel.threads() + " threads");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void packingFromTransposedWeightsOrWithMoreThreadsGivesTheSameMatrix(WeightFormat format) {
        int in = 33;
        int out = 2 * PanelLayout.WIDTH + 9;
        Random random = new Random(11);
        float[] w = gaussian(random, in * out, 0.5f);
        float[] transposed = new float[w.length];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                transposed[j * in + i] = w[i * out + j];
            }
        }
        float[][] x = rows(random, 5, in);
        WeightMatrix rowMajor = format.pack(PanelSource.rowMajor(w, in, out), in, out, ONE);
        WeightMatrix columnMajor = format.pack(PanelSource.columnMajor(
                (from, dst, offset, count) -> System.arraycopy(transposed, (int) from, dst, offset, count), in, out),
                in, out, THREE);
        assertEquals(rowMajor.bytes(), columnMajor.bytes());
        float[][] a = new float[5][out];
        float[][] b = new float[5][out];
        rowMajor.multiply(ONE, x, 5, null, a);
        columnMajor.multiply(ONE, x, 5, null, b);
        for (int r = 0; r < 5; r++) {
            assertArrayEquals(a[r], b[r], format + " row " + r);
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void bytesCountThePackedWeights(WeightFormat format) {
        int in = 10;
        int out = PanelLayout.WIDTH + 1;
        WeightMatrix m = format.pack(PanelSource.rowMajor(new float[in * out], in, out), in, out, ONE);
        long padded = (long) in * 2 * PanelLayout.WIDTH;
        long expected = switch (format) {
            case F32 -> 4 * padded;
            case BF16, F16 -> 2 * padded;
            case Q8_0 -> padded + 4L * 2 * PanelLayout.WIDTH; // one block of scales per column
        };
        assertEquals(expected, m.bytes());
        assertTrue(m.panels() == 2 && m.inputSize() == in && m.outputSize() == out);
    }

    static float[] gaussian(Random random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian() * scale;
        }
        return v;
    }

    static float[][] rows(Random random, int rows, int size) {
        float[][] x = new float[rows][];
        for (int r = 0; r < rows; r++) {
            x[r] = gaussian(random, size, 1f);
        }
        return x;
    }
}

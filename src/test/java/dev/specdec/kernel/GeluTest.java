package dev.specdec.kernel;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GeluTest {

    /** torch: transformers.activations.NewGELUActivation in float64. */
    private static final double[][] TORCH = {
            {-6.0, -8.43964897967453e-11}, {-3.0, -0.0036373920817729943}, {-1.0, -0.1588080093917233},
            {-0.5, -0.15428599017485606}, {-1e-3, -0.000499601057786418}, {0.0, 0.0},
            {1e-3, 0.000500398942213582}, {0.25, 0.149675350701685}, {1.0, 0.8411919906082768},
            {2.5, 2.484915733910001}, {6.0, 5.9999999999156035}, {20.0, 20.0}};

    @Test
    void matchesTransformersGeluNew() {
        float[] x = new float[TORCH.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) TORCH[i][0];
        }
        Gelu.applyInPlace(x, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(TORCH[i][1], x[i], 1e-7 * Math.abs(TORCH[i][1]) + 1e-9, "gelu_new(" + TORCH[i][0] + ")");
        }
    }

    @Test
    void matchesTheScalarFormulaOverAFineSweepAndOnlyTouchesTheRange() {
        int n = 200_001;
        float[] inputs = new float[n];
        float[] x = new float[n + 2];
        for (int i = 0; i < n; i++) {
            inputs[i] = (float) (-12.0 + 24.0 * i / (n - 1));
            x[i + 1] = inputs[i];
        }
        x[0] = Float.NaN;
        x[n + 1] = 123f;
        Gelu.applyInPlace(x, 1, n + 1);
        for (int i = 0; i < n; i++) {
            double expected = ScalarReference.gelu(inputs[i]);
            assertEquals(expected, x[i + 1], 2.5e-7 * Math.abs(expected) + 1e-8, "gelu(" + inputs[i] + ")");
        }
        assertEquals(Float.NaN, x[0]);
        assertEquals(123f, x[n + 1]);
    }

    @Test
    void anElementGetsTheSameBitsInAFullVectorAsInAMaskedTail() {
        float[] x = WeightMatrixTest.gaussian(new Random(9), 3 * PanelLayout.LANES + 5, 3f);
        float[] together = x.clone();
        Gelu.applyInPlace(together, 0, together.length);
        float[] oneByOne = x.clone();
        for (int i = 0; i < oneByOne.length; i++) {
            Gelu.applyInPlace(oneByOne, i, i + 1);
        }
        assertArrayEquals(together, oneByOne);
    }
}

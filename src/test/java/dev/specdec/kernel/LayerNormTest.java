package dev.specdec.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LayerNormTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 72, 768, 1601})
    void matchesTheScalarReference(int size) {
        Random random = new Random(size);
        float[] x = WeightMatrixTest.gaussian(random, size, 3f);
        for (int i = 0; i < size; i++) {
            x[i] += 40;
        }
        float[] gamma = WeightMatrixTest.gaussian(random, size, 1f);
        float[] beta = WeightMatrixTest.gaussian(random, size, 1f);
        float[] out = new float[size];
        LayerNorm.apply(x, gamma, beta, 1e-5f, out, size);
        double[] expected = ScalarReference.layerNorm(x, gamma, beta, 1e-5f);
        for (int i = 0; i < size; i++) {
            assertEquals(expected[i], out[i], 1e-5 * (Math.abs(gamma[i]) * Math.abs(expected[i] - beta[i]) + 1),
                    "element " + i + " of " + size);
        }
    }
}

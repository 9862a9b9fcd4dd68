package dev.specdec.model;

import dev.specdec.model.GoldenFixtures.Golden;
import dev.specdec.model.GoldenFixtures.Sequence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every weight format through the whole forward pass of tiny-3l: batched and single-token forwards
 * agree bit for bit, and the logits stay within each format's measured distance of transformers'
 * float32 logits (max |logit| is 7.6 there, std 1.7).
 */
class WeightFormatForwardTest {

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void aBatchedForwardEqualsSingleTokenForwardsBitForBit(WeightFormat format) {
        Sequence sequence = sequence("full-context");
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"), format)) {
            assertEquals(format, model.format());
            int[] ids = sequence.ids();
            float[][] batched = copy(model.forward(Arrays.copyOf(ids, 9), model.newCache()));
            KvCache cache = model.newCache();
            for (int t = 0; t < ids.length; t++) {
                float[] single = model.forward(new int[] {ids[t]}, cache)[0];
                if (t < batched.length) {
                    assertArrayEquals(batched[t], single, format + " position " + t);
                }
            }
            cache.truncate(9);
            float[][] rest = model.forward(Arrays.copyOfRange(ids, 9, ids.length), cache);
            KvCache again = model.newCache();
            model.forward(Arrays.copyOf(ids, 9), again);
            for (int t = 9; t < ids.length; t++) {
                assertArrayEquals(model.forward(new int[] {ids[t]}, again)[0], rest[t - 9], format + " position " + t);
            }
        }
    }

    /**
     * Largest |logit - transformers'| over both sequences, measured on tiny-3l: f32 6.9e-6,
     * bf16 0.069, f16 0.0076, q8_0 0.174; the tolerances leave about 1.5x headroom.
     */
    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void logitsStayCloseToTransformersFloat32(WeightFormat format) {
        double tolerance = switch (format) {
            case F32 -> Gpt2ModelGoldenTest.LOGIT_TOLERANCE;
            case BF16 -> 0.1;
            case F16 -> 0.012;
            case Q8_0 -> 0.25;
        };
        Golden golden = GoldenFixtures.golden("tiny-3l");
        double worst = 0;
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-3l"), format)) {
            for (Sequence sequence : golden.sequences()) {
                float[][] logits = model.forward(sequence.ids(), model.newCache());
                for (int i = 0; i < sequence.logitPositions().length; i++) {
                    float[] expected = sequence.logits()[i];
                    float[] actual = logits[sequence.logitPositions()[i]];
                    for (int j = 0; j < expected.length; j++) {
                        worst = Math.max(worst, Math.abs((double) expected[j] - actual[j]));
                    }
                }
            }
        }
        assertTrue(worst <= tolerance, format + ": a logit is " + worst + " from transformers' (tolerance " + tolerance + ")");
        assertTrue(format == WeightFormat.F32 || worst > tolerance / 100,
                format + ": logits within " + worst + " of float32 ones; are the weights converted at all?");
    }

    private static Sequence sequence(String name) {
        return GoldenFixtures.golden("tiny-3l").sequences().stream()
                .filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static float[][] copy(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
        }
        return out;
    }
}

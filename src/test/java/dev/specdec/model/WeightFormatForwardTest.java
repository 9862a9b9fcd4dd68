package dev.specdec.model;

import dev.specdec.SpecdecException;
import dev.specdec.io.Checkpoint;
import dev.specdec.io.SafetensorsWriter;
import dev.specdec.io.Tensor;
import dev.specdec.model.GoldenFixtures.Golden;
import dev.specdec.model.GoldenFixtures.Sequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void aWeightBeyondTheHalfPrecisionRangeIsRefusedNamingTheTensor(@TempDir Path dir) throws IOException {
        Path source = GoldenFixtures.folder("tiny-3l");
        Files.copy(source.resolve("config.json"), dir.resolve("config.json"));
        SafetensorsWriter writer = new SafetensorsWriter();
        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            for (String name : checkpoint.tensorNames()) {
                Tensor t = checkpoint.tensor(name);
                float[] values = t.toFloatArray();
                if (name.equals("h.1.mlp.c_fc.weight")) {
                    values[5] = 1e5f;
                }
                writer.addF32(name, t.shape(), values);
            }
        }
        writer.write(dir.resolve("model.safetensors"));
        SpecdecException e = assertThrows(SpecdecException.class, () -> Gpt2Model.load(dir, WeightFormat.F16));
        assertTrue(e.getMessage().contains("h.1.mlp.c_fc.weight") && e.getMessage().contains("--dtype bf16"),
                e.getMessage());
        try (Gpt2Model model = Gpt2Model.load(dir, WeightFormat.BF16)) {
            assertEquals(WeightFormat.BF16, model.format());
        }
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

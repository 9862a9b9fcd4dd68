package dev.specdec.model;

import dev.specdec.model.GoldenFixtures.Golden;
import dev.specdec.model.GoldenFixtures.Greedy;
import dev.specdec.model.GoldenFixtures.Sequence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forward pass against Hugging Face transformers' logits and greedy continuations. */
class Gpt2ModelGoldenTest {

    /** Absolute logit tolerance; an exact-erf GELU instead of gelu_new moves tiny-3l's logits by 1.8e-3. */
    static final double LOGIT_TOLERANCE = 1e-4;

    @ParameterizedTest
    @FieldSource("dev.specdec.model.GoldenFixtures#CHECKPOINTS")
    void logitsMatchTransformersAtEveryPosition(String checkpoint) {
        Golden golden = GoldenFixtures.golden(checkpoint);
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder(checkpoint))) {
            for (Sequence sequence : golden.sequences()) {
                float[][] logits = model.forward(sequence.ids(), model.newCache());
                assertEquals(sequence.ids().length, logits.length, "one logits row per input token");
                for (int i = 0; i < sequence.logitPositions().length; i++) {
                    int position = sequence.logitPositions()[i];
                    assertClose(sequence.logits()[i], logits[position],
                            checkpoint + " " + sequence.name() + " position " + position);
                }
            }
        }
    }

    @ParameterizedTest
    @FieldSource("dev.specdec.model.GoldenFixtures#CHECKPOINTS")
    void greedyContinuationMatchesTransformersGenerate(String checkpoint) {
        Golden golden = GoldenFixtures.golden(checkpoint);
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder(checkpoint))) {
            for (Greedy greedy : golden.greedy()) {
                int[] generated = greedy(model, greedy.prompt(), greedy.maxNewTokens());
                assertArrayEquals(greedy.newIds(), generated,
                        checkpoint + " greedy continuation of " + Arrays.toString(greedy.prompt()));
                boolean endedAtEos = generated.length > 0
                        && generated[generated.length - 1] == model.config().eosTokenId();
                assertEquals(greedy.stoppedAtEos(), endedAtEos, checkpoint + " stop at EOS");
            }
        }
    }

    /** transformers' greedy search: argmax of the last position, lowest id on ties, stop at EOS. */
    static int[] greedy(Gpt2Model model, int[] prompt, int maxNewTokens) {
        KvCache cache = model.newCache();
        int[] generated = new int[maxNewTokens];
        float[][] logits = model.forward(prompt, cache);
        int count = 0;
        while (true) {
            int next = argmax(logits[logits.length - 1]);
            generated[count++] = next;
            if (next == model.config().eosTokenId() || count == maxNewTokens) {
                return Arrays.copyOf(generated, count);
            }
            logits = model.forward(new int[] {next}, cache);
        }
    }

    static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": vocabulary size");
        int worst = 0;
        double worstDiff = -1;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(diff)) {
                diff = Double.POSITIVE_INFINITY;
            }
            if (diff > worstDiff) {
                worst = i;
                worstDiff = diff;
            }
        }
        assertTrue(worstDiff <= LOGIT_TOLERANCE, what + ": logit " + worst + " is " + actual[worst]
                + ", transformers has " + expected[worst] + " (tolerance " + LOGIT_TOLERANCE + ")");
    }
}

package dev.specdec.model;

import dev.specdec.model.GoldenFixtures.Golden;
import dev.specdec.model.GoldenFixtures.Greedy;
import dev.specdec.model.GoldenFixtures.Sequence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The in-memory weight formats against transformers, where the format loses nothing. */
class WeightFormatGoldenTest {

    @ParameterizedTest
    @CsvSource({"tiny-3l-bf16, BF16", "tiny-3l-f16, F16"})
    void aFormatThatHoldsTheStoredWeightsExactlyReproducesTransformers(String checkpoint, WeightFormat format) {
        Golden golden = GoldenFixtures.golden(checkpoint);
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder(checkpoint), format)) {
            for (Sequence sequence : golden.sequences()) {
                float[][] logits = model.forward(sequence.ids(), model.newCache());
                for (int i = 0; i < sequence.logitPositions().length; i++) {
                    int position = sequence.logitPositions()[i];
                    Gpt2ModelGoldenTest.assertClose(sequence.logits()[i], logits[position],
                            checkpoint + " as " + format + ", position " + position);
                }
            }
            for (Greedy greedy : golden.greedy()) {
                assertArrayEquals(greedy.newIds(), Gpt2ModelGoldenTest.greedy(model, greedy.prompt(), greedy.maxNewTokens()),
                        checkpoint + " as " + format + ", greedy");
            }
        }
    }
}

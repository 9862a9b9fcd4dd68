package dev.specdec;

import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.WeightFormat;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The library picks the draft's weight format as the command line's {@code --draft-dtype auto} does. */
class GeneratorDraftFormatTest {

    private static final Path TARGET = GoldenFixtures.folder("tiny-1l");
    private static final Path DRAFT = GoldenFixtures.folder("tiny-1l-draft");

    @Test
    void aDraftOfAnF32OrBf16TargetIsLoadedInQ8ByDefault() {
        assertEquals(WeightFormat.Q8_0, draftFormat(WeightFormat.F32, null));
        assertEquals(WeightFormat.Q8_0, draftFormat(WeightFormat.BF16, null));
    }

    @Test
    void aCompactTargetsDraftFollowsItsFormat() {
        assertEquals(WeightFormat.F16, draftFormat(WeightFormat.F16, null));
        assertEquals(WeightFormat.Q8_0, draftFormat(WeightFormat.Q8_0, null));
    }

    @Test
    void anExplicitDraftFormatWins() {
        assertEquals(WeightFormat.F32, draftFormat(WeightFormat.F32, WeightFormat.F32));
    }

    private static WeightFormat draftFormat(WeightFormat target, WeightFormat draft) {
        Generator.Builder builder = Generator.builder().model(TARGET).modelFormat(target).draft(DRAFT);
        if (draft != null) {
            builder.draftFormat(draft);
        }
        try (Generator generator = builder.build()) {
            return generator.draft().format();
        }
    }
}

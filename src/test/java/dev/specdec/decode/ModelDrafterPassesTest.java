package dev.specdec.decode;

import dev.specdec.kernel.Parallel;
import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.WeightFormat;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A draft model's passes: the prompt is read by {@code prefill} and not counted, each proposal of k
 * tokens then costs k passes (catching up on the verifier's token, then one per further token), and
 * the speculative decoder's statistics keep the draft's prompt time apart.
 */
class ModelDrafterPassesTest {

    @Test
    void thePromptIsNotADraftPassAndAProposalOfKCostsKPasses() {
        try (Gpt2Model model = Gpt2Model.load(GoldenFixtures.folder("tiny-1l"), WeightFormat.F32, new Parallel(1))) {
            int[] context = Arrays.copyOf(new int[] {5, 17, 42, 99, 3, 8}, 32);
            ModelDrafter drafter = new ModelDrafter(model);
            drafter.prefill(context, 6);
            assertEquals(0, drafter.draftPasses());
            Draft first = drafter.propose(context, 6, 3, null);
            assertEquals(3, first.size());
            assertEquals(2, drafter.draftPasses(), "the prompt's logits were ready: two more passes for three tokens");
            // The verifier keeps two tokens and appends one of its own.
            context[6] = first.tokens()[0];
            context[7] = first.tokens()[1];
            context[8] = 7;
            drafter.propose(context, 9, 3, null);
            assertEquals(5, drafter.draftPasses(), "one catch-up pass for the kept and new tokens, two for the rest");

            ModelDrafter unprepared = new ModelDrafter(model);
            Draft same = unprepared.propose(Arrays.copyOf(context, 6), 6, 3, null);
            assertArrayEquals(first.tokens(), same.tokens(), "prefill changes the count, not the draft");
            assertEquals(3, unprepared.draftPasses(), "without prefill the prompt's pass is a catch-up pass");
        }
    }

    @Test
    void speculativeStatisticsKeepTheDraftsPromptTimeApart() {
        try (Gpt2Model target = Gpt2Model.load(GoldenFixtures.folder("tiny-1l"), WeightFormat.F32, new Parallel(1));
             Gpt2Model draft = Gpt2Model.load(GoldenFixtures.folder("tiny-1l-draft"), WeightFormat.F32, new Parallel(1))) {
            GenerationConfig config = GenerationConfig.builder().maxNewTokens(12).draftLength(3).stopAtEos(false).build();
            DecodingStats stats = new SpeculativeDecoder(target, new ModelDrafter(draft), -1)
                    .generate(new int[] {5, 17, 42, 99}, config, TokenListener.NONE).stats();
            assertTrue(stats.draftPrefillNanos() > 0);
            assertTrue(stats.draftNanos() > stats.draftPrefillNanos());
            // Every proposed token costs a pass, except the first, whose logits the prompt's pass gave.
            assertEquals(stats.proposedTokens() - 1, stats.draftPasses());
        }
    }
}

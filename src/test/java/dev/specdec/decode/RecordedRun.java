package dev.specdec.decode;

import dev.specdec.model.CausalLanguageModel;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One speculative generation with every target and draft forward pass and every verified block
 * recorded, and the checks that the caches, the draft budget and the statistics agree with what
 * was actually emitted.
 */
final class RecordedRun {

    final int[] prompt;
    final GenerationConfig config;
    final GenerationResult result;
    private final int targetContext;
    private final Transcript transcript;
    private final List<RecordingModel.Forward> targetForwards;
    private final List<RecordingModel.Forward> draftForwards;
    private final List<RecordingDrafter.Block> blocks;

    private RecordedRun(int[] prompt, GenerationConfig config, GenerationResult result, int targetContext,
                        Transcript transcript, List<RecordingModel.Forward> targetForwards,
                        List<RecordingModel.Forward> draftForwards, List<RecordingDrafter.Block> blocks) {
        this.prompt = prompt;
        this.config = config;
        this.result = result;
        this.targetContext = targetContext;
        this.transcript = transcript;
        this.targetForwards = targetForwards;
        this.draftForwards = draftForwards;
        this.blocks = blocks;
    }

    /** Generates with {@code draftModel} drafting for {@code target} (they may be the same model). */
    static RecordedRun speculative(CausalLanguageModel target, CausalLanguageModel draftModel, int eosToken,
                                   int[] prompt, GenerationConfig config) {
        RecordingModel recordedDraft = new RecordingModel(draftModel);
        return speculative(target, recordedDraft, new ModelDrafter(recordedDraft), eosToken, prompt, config);
    }

    /**
     * Generates with a drafter that may have served earlier generations; {@code draftModel} must be
     * the model it drafts with.
     */
    static RecordedRun speculative(CausalLanguageModel target, RecordingModel draftModel, ModelDrafter modelDrafter,
                                   int eosToken, int[] prompt, GenerationConfig config) {
        Transcript transcript = new Transcript(prompt);
        RecordingModel recordedTarget = new RecordingModel(target);
        RecordingModel recordedDraft = draftModel;
        recordedTarget.record(transcript);
        recordedDraft.record(transcript);
        RecordingDrafter drafter = new RecordingDrafter(modelDrafter, transcript);
        GenerationResult result = new SpeculativeDecoder(recordedTarget, drafter, eosToken)
                .generate(prompt, config, transcript);
        return new RecordedRun(prompt, config, result, target.contextLength(), transcript,
                recordedTarget.forwards(), recordedDraft.forwards(), drafter.blocks());
    }

    DecodingStats stats() {
        return result.stats();
    }

    int[] tokens() {
        return result.tokens();
    }

    int blockCount() {
        return blocks.size();
    }

    /** Blocks that threw away at least one draft token. */
    int rejectingBlocks() {
        return (int) blocks.stream().filter(b -> b.accepted() < b.proposed()).count();
    }

    /** Blocks that kept some but not all of their draft. */
    int partiallyAcceptedBlocks() {
        return (int) blocks.stream().filter(b -> b.accepted() > 0 && b.accepted() < b.proposed()).count();
    }

    /** Every check below; the message names the run. */
    RecordedRun assertConsistent() {
        String run = "prompt " + Arrays.toString(prompt) + ", k " + config.draftLength()
                + (config.adaptiveDraftLength() ? " adaptive to " + config.maxDraftLength() : "") + ": ";
        assertArrayEquals(transcript.generated(), result.tokens(), run + "listener saw other tokens than the result");
        assertArrayEquals(prompt, result.promptTokens(), run + "prompt");
        assertCachesHoldCommittedText(run);
        assertDraftBudget(run);
        assertStatistics(run);
        return this;
    }

    private void assertCachesHoldCommittedText(String run) {
        int prefill = prompt.length > 1 ? 1 : 0;
        assertEquals(blocks.size() + prefill, targetForwards.size(), run + "target passes = prefill + one per block");
        if (prefill == 1) {
            RecordingModel.Forward first = targetForwards.get(0);
            assertEquals(0, first.start(), run + "prefill position");
            assertArrayEquals(Arrays.copyOf(prompt, prompt.length - 1), first.tokens(), run + "prefill tokens");
        }
        for (int b = 0; b < blocks.size(); b++) {
            RecordingDrafter.Block block = blocks.get(b);
            RecordingModel.Forward pass = targetForwards.get(b + prefill);
            int announced = block.announced();
            assertEquals(announced, pass.announced(), run + "block " + b + " verified before its tokens were announced");
            // The cache must hold exactly the committed text minus its last token, which leads the pass.
            assertEquals(announced - 1, pass.start(), run + "block " + b + ": target cache length");
            assertArrayEquals(transcript.prefix(announced - 1), pass.cached(),
                    run + "block " + b + ": target cache holds rejected tokens");
            int[] expectedInput = new int[block.draft().length + 1];
            expectedInput[0] = transcript.prefix(announced)[announced - 1];
            System.arraycopy(block.draft(), 0, expectedInput, 1, block.draft().length);
            assertArrayEquals(expectedInput, pass.tokens(), run + "block " + b + ": target input");
        }
        for (RecordingModel.Forward pass : draftForwards) {
            int committed = Math.min(pass.start(), pass.announced());
            assertArrayEquals(transcript.prefix(committed), Arrays.copyOf(pass.cached(), committed),
                    run + "draft cache holds tokens the target rejected (pass at " + pass.start() + ")");
        }
        assertEquals(draftForwards.size(), stats().draftPasses(), run + "draft passes counted");
    }

    /** Each block drafts min(k, tokens left - 1) tokens, k following the fixed or adaptive schedule. */
    private void assertDraftBudget(String run) {
        int k = config.draftLength();
        for (int b = 0; b < blocks.size(); b++) {
            RecordingDrafter.Block block = blocks.get(b);
            int generated = block.announced() - prompt.length;
            int remaining = Math.min(config.maxNewTokens() - generated, targetContext - block.announced());
            int budget = Math.max(0, Math.min(k, remaining - 1));
            assertEquals(budget, block.requested(), run + "block " + b + ": tokens asked of the drafter");
            assertEquals(block.requested(), block.proposed(), run + "block " + b + ": proposed");
            assertEquals(block.draft().length, block.proposed(), run + "block " + b + ": draft size");
            assertTrue(block.accepted() >= 0 && block.accepted() <= block.proposed(), run + "block " + b + ": accepted");
            if (config.adaptiveDraftLength()) {
                k = block.accepted() == block.proposed() && block.proposed() > 0
                        ? Math.min(k + 2, config.maxDraftLength()) : Math.max(1, k - 1);
            }
        }
    }

    private void assertStatistics(String run) {
        DecodingStats stats = stats();
        assertEquals(prompt.length, stats.promptTokens(), run + "prompt tokens");
        assertEquals(result.tokens().length, stats.generatedTokens(), run + "generated tokens");
        assertEquals(prompt.length > 1 ? 1 : 0, stats.prefillPasses(), run + "prefill passes");
        assertEquals(blocks.size(), stats.targetPasses(), run + "target passes = blocks");

        long proposed = blocks.stream().mapToLong(RecordingDrafter.Block::proposed).sum();
        long accepted = blocks.stream().mapToLong(RecordingDrafter.Block::accepted).sum();
        assertEquals(proposed, stats.proposedTokens(), run + "proposed");
        assertEquals(accepted, stats.acceptedTokens(), run + "accepted");
        assertEquals(stats.proposedTokens(), stats.acceptedTokens() + stats.rejectedTokens(), run + "accepted + rejected");

        long proposedAtSum = 0;
        long acceptedAtSum = 0;
        for (int i = 0; i < stats.positions(); i++) {
            int position = i;
            long proposedHere = blocks.stream().filter(b -> b.proposed() > position).count();
            long acceptedHere = blocks.stream().filter(b -> b.accepted() > position).count();
            assertEquals(proposedHere, stats.proposedAt(i), run + "proposed at " + i);
            assertEquals(acceptedHere, stats.acceptedAt(i), run + "accepted at " + i);
            proposedAtSum += stats.proposedAt(i);
            acceptedAtSum += stats.acceptedAt(i);
        }
        assertEquals(stats.proposedTokens(), proposedAtSum, run + "per-position proposals sum to the total");
        assertEquals(stats.acceptedTokens(), acceptedAtSum, run + "per-position acceptances sum to the total");
        assertEquals(0, stats.proposedAt(stats.positions()), run + "nothing proposed past the last position");

        int generated = 0;
        for (int b = 0; b < blocks.size(); b++) {
            RecordingDrafter.Block block = blocks.get(b);
            int end = b + 1 < blocks.size() ? blocks.get(b + 1).announced() : transcript.length();
            int committed = end - block.announced();
            generated += committed;
            if (b + 1 < blocks.size()) {
                assertEquals(block.accepted() + 1, committed, run + "block " + b + " commits accepted + 1 tokens");
            } else {
                assertTrue(committed >= 1 && committed <= block.accepted() + 1, run + "last block commits " + committed);
                if (committed < block.accepted() + 1) {
                    assertEquals(StopReason.EOS, result.stopReason(), run + "only EOS cuts a block short");
                }
            }
        }
        assertEquals(stats.generatedTokens(), generated, run + "tokens = sum over blocks");

        int longestDraft = config.adaptiveDraftLength() ? config.maxDraftLength() : config.draftLength();
        double perPass = stats.tokensPerTargetPass();
        assertTrue(perPass >= 1 && perPass <= longestDraft + 1, run + "tokens per target pass " + perPass);
    }
}

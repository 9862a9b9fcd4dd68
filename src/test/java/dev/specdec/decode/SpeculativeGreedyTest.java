package dev.specdec.decode;

import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.Gpt2Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Greedy speculative decoding must emit exactly what plain greedy decoding of the target emits,
 * whatever the drafter proposes: the target itself (everything accepted), an unrelated model
 * (almost nothing accepted) and a bf16-rounded copy of the target (some accepted).
 */
class SpeculativeGreedyTest {

    private static final int EOS = 299;
    private static final int MAX_NEW_TOKENS = 24;
    private static final int[] PROMPT_LENGTHS = {1, 2, 3, 5, 7, 8, 11, 13, 16, 20, 24, 29, 33, 38};

    private static Gpt2Model target;
    private static Gpt2Model unrelated;
    private static Gpt2Model perturbed;
    private static List<int[]> prompts;
    private static List<GenerationResult> plain;

    @BeforeAll
    static void load() {
        target = DecodeFixtures.load("tiny-3l");
        unrelated = DecodeFixtures.load("tiny-1l-draft");
        perturbed = DecodeFixtures.load("tiny-3l-bf16");
        SplittableRandom random = new SplittableRandom(20261201L);
        prompts = new ArrayList<>();
        plain = new ArrayList<>();
        for (int length : PROMPT_LENGTHS) {
            int[] prompt = DecodeFixtures.randomPrompt(random, length, target.vocabSize());
            prompts.add(prompt);
            plain.add(new TargetDecoder(target, EOS).generate(prompt, greedy(MAX_NEW_TOKENS, 1), TokenListener.NONE));
        }
    }

    @AfterAll
    static void close() {
        target.close();
        unrelated.close();
        perturbed.close();
    }

    private static GenerationConfig greedy(int maxNewTokens, int k) {
        return GenerationConfig.builder().maxNewTokens(maxNewTokens).draftLength(k).build();
    }

    private static Gpt2Model draftModel(String name) {
        return switch (name) {
            case "self" -> target;
            case "unrelated" -> unrelated;
            case "perturbed" -> perturbed;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    void plainAndSpeculativeGreedyMatchTransformersGenerate() {
        for (GoldenFixtures.Greedy golden : GoldenFixtures.golden("tiny-3l").greedy()) {
            GenerationConfig config = greedy(golden.maxNewTokens(), 4);
            GenerationResult plainResult = new TargetDecoder(target, EOS).generate(golden.prompt(), config, TokenListener.NONE);
            RecordedRun speculative = RecordedRun.speculative(target, perturbed, EOS, golden.prompt(), config).assertConsistent();
            for (GenerationResult result : List.of(plainResult, speculative.result)) {
                assertArrayEquals(golden.newIds(), result.tokens(), "prompt " + Arrays.toString(golden.prompt()));
                assertEquals(golden.stoppedAtEos() ? StopReason.EOS : StopReason.MAX_NEW_TOKENS, result.stopReason());
            }
        }
    }

    static Stream<Arguments> draftsAndLengths() {
        return Stream.of("self", "unrelated", "perturbed")
                .flatMap(draft -> Stream.of(1, 2, 4, 8).map(k -> Arguments.of(draft, k)));
    }

    @ParameterizedTest(name = "{0} draft, k = {1}")
    @MethodSource("draftsAndLengths")
    void speculativeGreedyEqualsPlainGreedy(String draft, int k) {
        assertEqualsPlainForEveryPrompt(draft, greedy(MAX_NEW_TOKENS, k));
    }

    @ParameterizedTest(name = "{0} draft, adaptive from k = {1} up to {2}")
    @MethodSource("adaptiveSchedules")
    void adaptiveSpeculativeGreedyEqualsPlainGreedy(String draft, int start, int max) {
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(MAX_NEW_TOKENS)
                .draftLength(start).adaptiveDraftLength(max).build();
        assertEqualsPlainForEveryPrompt(draft, config);
    }

    static Stream<Arguments> adaptiveSchedules() {
        return Stream.of("self", "unrelated", "perturbed").flatMap(draft -> Stream.of(
                Arguments.of(draft, 1, 8), Arguments.of(draft, 4, 8), Arguments.of(draft, 2, 3)));
    }

    private void assertEqualsPlainForEveryPrompt(String draft, GenerationConfig config) {
        long proposed = 0;
        long accepted = 0;
        int partialBlocks = 0;
        int rejectingBlocks = 0;
        for (int i = 0; i < prompts.size(); i++) {
            RecordedRun run = RecordedRun.speculative(target, draftModel(draft), EOS, prompts.get(i), config)
                    .assertConsistent();
            assertArrayEquals(plain.get(i).tokens(), run.tokens(), "prompt " + i);
            assertEquals(plain.get(i).stopReason(), run.result.stopReason(), "prompt " + i);
            DecodingStats stats = run.stats();
            if (draft.equals("self")) {
                assertEquals(1.0, stats.acceptanceRate(), "self-draft, prompt " + i + ": every draft token is the target's argmax");
            }
            proposed += stats.proposedTokens();
            accepted += stats.acceptedTokens();
            partialBlocks += run.partiallyAcceptedBlocks();
            rejectingBlocks += run.rejectingBlocks();
        }
        double rate = (double) accepted / proposed;
        switch (draft) {
            case "unrelated" -> assertTrue(rate < 0.2, "an unrelated draft is rarely right: " + rate);
            case "perturbed" -> assertTrue(rate > 0 && rate < 1, "a bf16 copy is often but not always right: " + rate);
            default -> assertEquals(1.0, rate);
        }
        if (!draft.equals("self")) {
            // Otherwise the rollback of both caches was never exercised.
            assertTrue(rejectingBlocks > 0, "no block rejected a draft token");
        }
        if (draft.equals("perturbed") && config.draftLength() >= 4 && !config.adaptiveDraftLength()) {
            assertTrue(partialBlocks > 0, "no block kept part of its draft");
        }
    }

    @Test
    void oneDrafterServesGenerationAfterGenerationOnDifferentPrompts() {
        for (Gpt2Model model : List.of(perturbed, unrelated)) {
            RecordingModel draftModel = new RecordingModel(model);
            ModelDrafter drafter = new ModelDrafter(draftModel);
            for (int k : new int[] {3, 8}) {
                for (int i = 0; i < prompts.size(); i++) {
                    RecordedRun run = RecordedRun.speculative(target, draftModel, drafter, EOS, prompts.get(i),
                            greedy(MAX_NEW_TOKENS, k)).assertConsistent();
                    assertArrayEquals(plain.get(i).tokens(), run.tokens(), "prompt " + i + ", k " + k);
                }
            }
        }
    }

    @Test
    void unrelatedDraftCostsOneTargetPassPerBlockAndCountsDraftPasses() {
        int[] prompt = prompts.get(5);
        RecordedRun run = RecordedRun.speculative(target, unrelated, EOS, prompt, greedy(MAX_NEW_TOKENS, 4)).assertConsistent();
        assertArrayEquals(plain.get(5).tokens(), run.tokens());
        DecodingStats stats = run.stats();
        assertEquals(run.blockCount(), stats.targetPasses());
        assertTrue(stats.rejectedTokens() > 0);
        // Each block feeds the draft model the target's token plus k - 1 of its own draft tokens.
        assertTrue(stats.draftPasses() >= stats.targetPasses(), "draft passes " + stats.draftPasses());
        assertTrue(stats.draftPasses() <= 4 * stats.targetPasses(), "draft passes " + stats.draftPasses());
    }

    @Test
    void eosInsideAnAcceptedBlockStopsBothDecodersAtTheSameToken() {
        int checked = 0;
        for (int i = 0; i < prompts.size(); i++) {
            int[] prompt = prompts.get(i);
            int[] free = new TargetDecoder(target, -1).generate(prompt, greedy(MAX_NEW_TOKENS, 1), TokenListener.NONE).tokens();
            int j = lastFirstOccurrenceBefore(free, 7);
            if (j < 1) {
                continue;
            }
            int eos = free[j];
            int[] expected = Arrays.copyOf(free, j + 1);
            GenerationConfig config = greedy(MAX_NEW_TOKENS, 8);
            GenerationResult plainResult = new TargetDecoder(target, eos).generate(prompt, config, TokenListener.NONE);
            assertArrayEquals(expected, plainResult.tokens(), "plain, prompt " + i + ", eos " + eos);
            assertEquals(StopReason.EOS, plainResult.stopReason());
            for (String draft : List.of("self", "unrelated", "perturbed")) {
                RecordedRun run = RecordedRun.speculative(target, draftModel(draft), eos, prompt, config).assertConsistent();
                assertArrayEquals(expected, run.tokens(), draft + ", prompt " + i + ", eos " + eos);
                assertEquals(StopReason.EOS, run.result.stopReason(), draft + ", prompt " + i);
                if (draft.equals("self")) {
                    // The first block proposes 8 tokens, all accepted; EOS is the (j+1)-th of them.
                    assertEquals(1, run.stats().targetPasses());
                    assertEquals(8, run.stats().acceptedTokens());
                    assertEquals(j + 1, run.stats().generatedTokens());
                }
            }
            checked++;
        }
        assertTrue(checked >= 8, "too few prompts had a usable EOS position: " + checked);
    }

    /** The largest j <= limit such that tokens[j] does not occur before j; -1 if none. */
    private static int lastFirstOccurrenceBefore(int[] tokens, int limit) {
        for (int j = Math.min(limit, tokens.length - 1); j >= 1; j--) {
            int token = tokens[j];
            if (Arrays.stream(tokens, 0, j).noneMatch(t -> t == token)) {
                return j;
            }
        }
        return -1;
    }

    @Test
    void maxNewTokensInsideABlockStopsBothDecodersAtTheBudget() {
        for (int maxNew = 1; maxNew <= 10; maxNew++) {
            GenerationConfig config = greedy(maxNew, 8);
            for (int i = 0; i < prompts.size(); i += 3) {
                int[] prompt = prompts.get(i);
                GenerationResult plainResult = new TargetDecoder(target, -1).generate(prompt, config, TokenListener.NONE);
                assertEquals(maxNew, plainResult.tokens().length);
                assertEquals(StopReason.MAX_NEW_TOKENS, plainResult.stopReason());
                for (String draft : List.of("self", "unrelated", "perturbed")) {
                    RecordedRun run = RecordedRun.speculative(target, draftModel(draft), -1, prompt, config).assertConsistent();
                    assertArrayEquals(plainResult.tokens(), run.tokens(), draft + ", max " + maxNew + ", prompt " + i);
                    assertEquals(StopReason.MAX_NEW_TOKENS, run.result.stopReason());
                    if (draft.equals("self") && maxNew <= 9) {
                        // One block: maxNew - 1 draft tokens and the target's bonus token.
                        assertEquals(1, run.stats().targetPasses(), "max " + maxNew);
                        assertEquals(maxNew - 1, run.stats().proposedTokens(), "max " + maxNew);
                    }
                }
            }
        }
    }

    @Test
    void contextFullStopsBothDecodersWithTheSameTokens() {
        SplittableRandom random = new SplittableRandom(7);
        int context = target.contextLength();
        for (int length : new int[] {40, 50, 56, 60, 62, 63}) {
            int[] prompt = DecodeFixtures.randomPrompt(random, length, target.vocabSize());
            GenerationConfig base = greedy(40, 1);
            GenerationResult plainResult = new TargetDecoder(target, -1).generate(prompt, base, TokenListener.NONE);
            assertEquals(StopReason.CONTEXT_FULL, plainResult.stopReason());
            assertEquals(context - length, plainResult.tokens().length);
            for (String draft : List.of("self", "unrelated", "perturbed")) {
                List<GenerationConfig> configs = List.of(greedy(40, 1), greedy(40, 3), greedy(40, 8),
                        GenerationConfig.builder().maxNewTokens(40).draftLength(2).adaptiveDraftLength(8).build());
                for (GenerationConfig config : configs) {
                    RecordedRun run = RecordedRun.speculative(target, draftModel(draft), -1, prompt, config).assertConsistent();
                    String what = draft + ", prompt length " + length + ", k " + config.draftLength();
                    assertArrayEquals(plainResult.tokens(), run.tokens(), what);
                    assertEquals(StopReason.CONTEXT_FULL, run.result.stopReason(), what);
                }
            }
        }
    }
}

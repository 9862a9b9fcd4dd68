package dev.specdec.decode;

import dev.specdec.kernel.Parallel;
import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.WeightFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every cheap drafter is lossless: greedy speculative decoding with it emits exactly what plain
 * greedy decoding of the target emits, for repetitive prompts (where prompt lookup finds matches)
 * and random ones, and several draft lengths. Each case also checks that drafts were accepted, so
 * the drafter was really exercised.
 */
class DraftStrategyGreedyTest {

    private static final int EOS = 299;
    private static final int MAX_NEW_TOKENS = 20;
    private static final Parallel ONE_THREAD = new Parallel(1);

    private static Gpt2Model target;
    private static Gpt2Model perturbed;
    private static Gpt2Model unrelated;
    private static Gpt2Model selfInt8;
    private static List<int[]> prompts;
    private static List<GenerationResult> plain;

    @BeforeAll
    static void load() {
        target = load("tiny-3l");
        perturbed = load("tiny-3l-bf16");
        unrelated = load("tiny-1l-draft");
        selfInt8 = load("tiny-3l", WeightFormat.Q8_0);
        SplittableRandom random = new SplittableRandom(6L);
        prompts = new ArrayList<>();
        for (int period : new int[] {2, 3, 5, 7}) {
            int[] base = random.ints(period, 0, 299).toArray();
            prompts.add(IntStream.range(0, 3 * period + 1).map(i -> base[i % period]).toArray());
        }
        for (int length : new int[] {1, 4, 9, 17}) {
            prompts.add(random.ints(length, 0, 299).toArray());
        }
        plain = new ArrayList<>();
        for (int[] prompt : prompts) {
            plain.add(new TargetDecoder(target, EOS).generate(prompt, greedy(1), TokenListener.NONE));
        }
    }

    private static Gpt2Model load(String name) {
        return load(name, WeightFormat.F32);
    }

    private static Gpt2Model load(String name, WeightFormat format) {
        return Gpt2Model.load(GoldenFixtures.folder(name), format, ONE_THREAD);
    }

    @AfterAll
    static void close() {
        target.close();
        perturbed.close();
        unrelated.close();
        selfInt8.close();
    }

    private static GenerationConfig greedy(int k) {
        return GenerationConfig.builder().maxNewTokens(MAX_NEW_TOKENS).draftLength(k).build();
    }

    /** The ids the target's plain outputs use plus a spread of others: a draft vocabulary that can still miss. */
    private static int[] prunedVocabulary(int extra) {
        boolean[] keep = new boolean[300];
        for (GenerationResult r : plain) {
            for (int t : r.tokens()) {
                keep[t] = true;
            }
        }
        for (int i = 0; i < extra; i++) {
            keep[(i * 37) % 300] = true;
        }
        return IntStream.range(0, 300).filter(i -> keep[i]).toArray();
    }

    static Stream<Arguments> drafters() {
        List<Arguments> cases = new ArrayList<>();
        for (int k : new int[] {1, 5}) {
            cases.add(Arguments.of("lookup n=2..1", k, (Supplier<Drafter>) () -> new PromptLookupDrafter(2, 1, 10, EOS)));
            cases.add(Arguments.of("lookup n=3..2, 4 tokens", k, (Supplier<Drafter>) () -> new PromptLookupDrafter(3, 2, 4, EOS)));
            cases.add(Arguments.of("combined lookup + bf16 draft", k, (Supplier<Drafter>) () ->
                    new CombinedDrafter(PromptLookupDrafter.withDefaults(EOS), new ModelDrafter(perturbed))));
            cases.add(Arguments.of("combined lookup + unrelated draft", k, (Supplier<Drafter>) () ->
                    new CombinedDrafter(PromptLookupDrafter.withDefaults(EOS), new ModelDrafter(unrelated))));
            cases.add(Arguments.of("bf16 draft, confidence 0.3", k, (Supplier<Drafter>) () -> new ModelDrafter(perturbed, 0.3)));
            cases.add(Arguments.of("bf16 draft, confidence 0.9", k, (Supplier<Drafter>) () -> new ModelDrafter(perturbed, 0.9)));
            cases.add(Arguments.of("bf16 draft pruned to the used ids + 20", k, (Supplier<Drafter>) () ->
                    new ModelDrafter(perturbed.withOutputVocabulary(prunedVocabulary(20)))));
            cases.add(Arguments.of("target pruned to 40 ids", k, (Supplier<Drafter>) () ->
                    new ModelDrafter(target.withOutputVocabulary(IntStream.range(0, 40).map(i -> i * 7).toArray()))));
            cases.add(Arguments.of("self-int8 (the target in q8_0)", k, (Supplier<Drafter>) () -> new ModelDrafter(selfInt8)));
            cases.add(Arguments.of("self-int8 pruned to the used ids + 30", k, (Supplier<Drafter>) () ->
                    new ModelDrafter(selfInt8.withOutputVocabulary(prunedVocabulary(30)))));
            cases.add(Arguments.of("strategy: combined, pruned, confidence 0.2", k, (Supplier<Drafter>) () -> {
                DraftStrategy s = DraftStrategy.combined().withConfidence(0.2).withDraftVocabulary(prunedVocabulary(50));
                return s.drafter(target, s.draftModel(perturbed));
            }));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, k = {1}")
    @MethodSource("drafters")
    void speculativeGreedyEqualsPlainGreedy(String name, int k, Supplier<Drafter> drafters) {
        long accepted = 0;
        for (int i = 0; i < prompts.size(); i++) {
            Drafter drafter = drafters.get();
            GenerationResult r = new SpeculativeDecoder(target, drafter, EOS).generate(prompts.get(i), greedy(k), TokenListener.NONE);
            assertArrayEquals(plain.get(i).tokens(), r.tokens(), name + ", prompt " + i);
            assertEquals(plain.get(i).stopReason(), r.stopReason(), name + ", prompt " + i);
            accepted += r.stats().acceptedTokens();
        }
        assertTrue(accepted > 0, name + ": no draft token was ever accepted, so the drafter was not exercised");
    }

    @ParameterizedTest(name = "k = {0}")
    @MethodSource("lengths")
    void lookupServesRepetitivePromptsAndTheModelTheRest(int k) {
        long lookupDrafts = 0;
        long modelPasses = 0;
        for (int[] prompt : prompts) {
            CombinedDrafter drafter = new CombinedDrafter(PromptLookupDrafter.withDefaults(EOS), new ModelDrafter(perturbed));
            new SpeculativeDecoder(target, drafter, EOS).generate(prompt, greedy(k), TokenListener.NONE);
            lookupDrafts += drafter.lookupDrafts();
            modelPasses += drafter.draftPasses();
        }
        assertTrue(lookupDrafts > 0, "the lookup never matched");
        assertTrue(modelPasses > 0, "the draft model never ran");
    }

    static Stream<Integer> lengths() {
        return Stream.of(1, 4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void everyStrategyKindIsLossless(DraftStrategy.Kind kind) {
        DraftStrategy s = DraftStrategy.of(kind).withLookup(2, 1, 5);
        CausalLanguageModel draftView = s.draftModel(kind == DraftStrategy.Kind.SELF_INT8 ? selfInt8 : perturbed);
        for (int i = 0; i < prompts.size(); i++) {
            GenerationConfig config = s.configure(greedy(3));
            GenerationResult r = new SpeculativeDecoder(target, s.drafter(target, draftView), EOS)
                    .generate(prompts.get(i), config, TokenListener.NONE);
            assertArrayEquals(plain.get(i).tokens(), r.tokens(), kind + ", prompt " + i);
        }
    }

    static Stream<DraftStrategy.Kind> kinds() {
        return Stream.of(DraftStrategy.Kind.values());
    }
}

package dev.specdec.bench;

import dev.specdec.SpecdecException;
import dev.specdec.decode.ModelDrafter;
import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.KvCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner on the tiny fixture checkpoints: order of runs, figures that follow from the counts, the identity check. */
class BenchRunnerTest {

    static final Path TINY = Path.of("src/test/resources/fixtures/tiny-3l");
    static final Path TINY_BF16 = Path.of("src/test/resources/fixtures/tiny-3l-bf16");

    static Gpt2Model target;
    static Gpt2Model sameAsTarget;
    static Gpt2Model bf16Draft;

    @BeforeAll
    static void load() {
        target = Gpt2Model.load(TINY);
        sameAsTarget = Gpt2Model.load(TINY);
        bf16Draft = Gpt2Model.load(TINY_BF16);
    }

    @AfterAll
    static void close() {
        target.close();
        sameAsTarget.close();
        bf16Draft.close();
    }

    static DraftVariant variant(String name, Gpt2Model draft) {
        return new DraftVariant(name, "model " + name, draft.weightBytesPerStep(), () -> new ModelDrafter(draft));
    }

    static BenchPlan plan(List<DraftVariant> variants, List<Integer> ks, int repeats, int warmups) {
        List<BenchPlan.Prompt> prompts = List.of(
                new BenchPlan.Prompt("a", new int[] {5, 17, 42}),
                new BenchPlan.Prompt("b", new int[] {99, 3}));
        return new BenchPlan(prompts, List.of(10), ks, variants, repeats, warmups, false);
    }

    @Test
    void warmUpRoundsComeFirstThenEveryRepeatRunsGreedyThenEachConfigurationInTurn() {
        List<String> lines = new ArrayList<>();
        new BenchRunner(target, -1, lines::add)
                .run(plan(List.of(variant("bf16", bf16Draft)), List.of(1, 3), 2, 1));
        List<String> configs = List.of("greedy", "bf16 k=1", "bf16 k=3");
        int warmUpLines = lines.size() - 2 * configs.size();
        int rounds = warmUpLines / configs.size();
        assertEquals(0, warmUpLines % configs.size(), String.join("\n", lines));
        assertTrue(rounds >= 1 && rounds <= 1 + JitWarmUp.MAX_EXTRA_ROUNDS, String.join("\n", lines));
        List<String> expected = new ArrayList<>();
        for (int w = 1; w <= rounds; w++) {
            for (String c : configs) {
                expected.add("warm-up " + w + "  " + c);
            }
        }
        for (int r = 1; r <= 2; r++) {
            for (String c : configs) {
                expected.add("repeat " + r + "/2  n=10  " + c);
            }
        }
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(lines.get(i).startsWith("bench: " + expected.get(i)), lines.get(i) + " should be " + expected.get(i));
        }
    }

    @Test
    void noWarmUpAskedRunsNone() {
        List<String> lines = new ArrayList<>();
        new BenchRunner(target, -1, lines::add).run(plan(List.of(variant("bf16", bf16Draft)), List.of(2), 1, 0));
        assertEquals(List.of("bench: repeat 1/1  n=10  greedy", "bench: repeat 1/1  n=10  bf16 k=2"),
                lines.stream().map(String::stripTrailing).map(l -> l.replaceAll(" +\\(.*", "")).toList());
    }

    @Test
    void aDraftEqualToTheTargetIsAlwaysAcceptedAndFillsEveryPass() {
        BenchReport report = new BenchRunner(target, -1, line -> { })
                .run(plan(List.of(variant("same", sameAsTarget)), List.of(3), 2, 0));
        assertEquals(2, report.rows().size());
        BenchReport.Row greedy = report.rows().get(0);
        BenchReport.Row same = report.rows().get(1);
        assertTrue(greedy.greedy());
        assertEquals(20, greedy.tokens());
        assertEquals(1.0, greedy.tokensPerTargetPass());
        assertEquals(1.0, greedy.speedUp().median());
        assertTrue(Double.isNaN(greedy.acceptance()));
        assertNull(greedy.draftCostRatio());
        assertNull(greedy.verifyCostRatio());
        assertEquals(2, greedy.tokensPerSecond().count());

        assertEquals("same", same.draft());
        assertEquals(3, same.k());
        assertEquals(20, same.tokens());
        assertEquals(1.0, same.acceptance());
        // 10 tokens in blocks of k+1 = 4: passes yield 4, 4, then the last 2 (budget-capped) per prompt.
        assertEquals(20.0 / 6, same.tokensPerTargetPass(), 1e-12);
        assertTrue(same.draftCostRatio().median() > 0);
        assertTrue(same.verifyCostRatio().median() > 0);
        // Two repeats x two configurations x two prompts, less the two greedy references.
        assertEquals(6, report.checkedGenerations());
        assertEquals(2, report.greedyOutputs().size());
        assertEquals(10, report.greedyOutputs().get(0).tokens().length);
    }

    @Test
    void greedyOutputsAreWhatTheTargetAloneGenerates() {
        BenchReport report = new BenchRunner(target, -1, line -> { })
                .run(plan(List.of(variant("bf16", bf16Draft)), List.of(2), 1, 0));
        KvCache cache = target.newCache();
        float[][] rows = target.forward(new int[] {99, 3}, cache);
        int[] expected = new int[10];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = argmax(rows[rows.length - 1]);
            rows = target.forward(new int[] {expected[i]}, cache);
        }
        assertArrayEquals(expected, report.greedyOutputs().get(1).tokens());
    }

    @Test
    void failsWhenSpeculativeOutputDiffersFromGreedy() {
        SpecdecException e = assertThrows(SpecdecException.class, () -> new BenchRunner(new BrokenVerifier(target), -1,
                line -> { }).run(plan(List.of(variant("bf16", bf16Draft)), List.of(2), 1, 0)));
        assertTrue(e.getMessage().startsWith("speculative output of draft bf16 with k=2 differs from greedy for prompt 1"),
                e.getMessage());
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Forces the verification passes (several tokens after the prompt) to prefer a token greedy never picks. */
    private record BrokenVerifier(Gpt2Model model) implements CausalLanguageModel {
        @Override
        public int vocabSize() {
            return model.vocabSize();
        }

        @Override
        public int contextLength() {
            return model.contextLength();
        }

        @Override
        public KvCache newCache() {
            return model.newCache();
        }

        @Override
        public float[][] forward(int[] tokens, KvCache cache) {
            boolean verifying = cache.length() > 0 && tokens.length > 1;
            float[][] rows = model.forward(tokens, cache);
            if (verifying) {
                rows[0][1] += 1000f;
            }
            return rows;
        }
    }
}

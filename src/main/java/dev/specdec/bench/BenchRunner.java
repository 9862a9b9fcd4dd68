package dev.specdec.bench;

import dev.specdec.SpecdecException;
import dev.specdec.decode.Decoder;
import dev.specdec.decode.GenerationConfig;
import dev.specdec.decode.GenerationResult;
import dev.specdec.decode.SpeculativeDecoder;
import dev.specdec.decode.TargetDecoder;
import dev.specdec.decode.TokenListener;
import dev.specdec.model.CausalLanguageModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs a {@link BenchPlan}: warm-up, then in every repeat plain greedy followed by each speculative
 * configuration in turn (interleaved, so a burst of load from other processes hits all of them alike
 * rather than one configuration's repeats), checking every speculative output against greedy's.
 */
public final class BenchRunner {

    /** Tokens generated per warm-up run: enough for the JIT to compile the decoding paths. */
    static final int WARMUP_TOKENS = 32;

    /** Tokens are only counted, never shown, so nothing listens. */
    private static final TokenListener IGNORE = token -> { };

    private final CausalLanguageModel target;
    private final int eosToken;
    private final Consumer<String> progress;

    /**
     * @param eosToken end-of-text id of the target, -1 if none
     * @param progress receives one line per step (stderr in the CLI)
     */
    public BenchRunner(CausalLanguageModel target, int eosToken, Consumer<String> progress) {
        this.target = target;
        this.eosToken = eosToken;
        this.progress = progress;
    }

    /** A configuration to measure: plain greedy when {@code variant} is null. */
    private record Config(DraftVariant variant, int k) {
        String label() {
            return variant == null ? "greedy" : variant.name() + " k=" + k;
        }
    }

    public BenchReport run(BenchPlan plan) {
        List<Config> configs = new ArrayList<>();
        configs.add(new Config(null, 0));
        for (DraftVariant v : plan.variants()) {
            for (int k : plan.kValues()) {
                configs.add(new Config(v, k));
            }
        }
        warmUp(plan, configs);

        int lengths = plan.tokenCounts().size();
        RunTotals[][][] totals = new RunTotals[lengths][configs.size()][plan.repeats()];
        Map<String, int[]> reference = new HashMap<>();
        List<BenchReport.GreedyOutput> outputs = new ArrayList<>();
        long checked = 0;
        for (int r = 0; r < plan.repeats(); r++) {
            for (int ni = 0; ni < lengths; ni++) {
                int n = plan.tokenCounts().get(ni);
                for (int ci = 0; ci < configs.size(); ci++) {
                    Config c = configs.get(ci);
                    progress.accept(String.format(Locale.ROOT, "bench: repeat %d/%d  n=%d  %-20s (%d prompt%s)", r + 1,
                            plan.repeats(), n, c.label(), plan.prompts().size(), plan.prompts().size() == 1 ? "" : "s"));
                    RunTotals sum = new RunTotals();
                    for (int pi = 0; pi < plan.prompts().size(); pi++) {
                        BenchPlan.Prompt prompt = plan.prompts().get(pi);
                        GenerationResult result = decoder(c).generate(prompt.ids(), config(plan, n, c.k()), IGNORE);
                        sum.add(result.stats(), c.variant() == null);
                        String key = pi + "/" + n;
                        int[] expected = reference.get(key);
                        if (expected == null) {
                            reference.put(key, result.tokens());
                            outputs.add(new BenchReport.GreedyOutput(prompt.text(), n, result.tokens()));
                        } else {
                            requireSame(expected, result.tokens(), c, n, pi, prompt.text());
                            checked++;
                        }
                    }
                    totals[ni][ci][r] = sum;
                }
            }
        }
        List<BenchReport.Row> rows = new ArrayList<>();
        for (int ni = 0; ni < lengths; ni++) {
            for (int ci = 0; ci < configs.size(); ci++) {
                rows.add(row(configs.get(ci), plan.tokenCounts().get(ni), totals[ni][ci], totals[ni][0]));
            }
        }
        return new BenchReport(rows, outputs, plan.repeats(), checked);
    }

    /** Untimed rounds of every configuration until the JIT has settled (see {@link JitWarmUp}). */
    private void warmUp(BenchPlan plan, List<Config> configs) {
        int n = Math.min(WARMUP_TOKENS, plan.tokenCounts().stream().mapToInt(Integer::intValue).max().orElseThrow());
        int[] prompt = plan.prompts().get(0).ids();
        JitWarmUp.run(plan.warmups(), w -> {
            for (Config c : configs) {
                progress.accept(String.format(Locale.ROOT, "bench: warm-up %d  %s", w + 1, c.label()));
                decoder(c).generate(prompt, config(plan, n, c.k()), IGNORE);
            }
        });
    }

    private Decoder decoder(Config c) {
        return c.variant() == null
                ? new TargetDecoder(target, eosToken)
                : new SpeculativeDecoder(target, c.variant().newDrafter(), eosToken);
    }

    private static GenerationConfig config(BenchPlan plan, int n, int k) {
        return GenerationConfig.builder()
                .maxNewTokens(n)
                .draftLength(Math.max(1, k))
                .stopAtEos(plan.stopAtEos())
                .build();
    }

    private static void requireSame(int[] greedy, int[] got, Config c, int n, int promptIndex, String prompt) {
        if (Arrays.equals(greedy, got)) {
            return;
        }
        int at = Arrays.mismatch(greedy, got);
        String detail = at < Math.min(greedy.length, got.length)
                ? "at generated token " + at + " (greedy " + greedy[at] + ", got " + got[at] + ")"
                : "in length (greedy " + greedy.length + " tokens, got " + got.length + ")";
        String what = c.variant() == null ? "plain greedy decoding is not deterministic"
                : "speculative output of draft " + c.variant().name() + " with k=" + c.k() + " differs from greedy";
        throw new SpecdecException(what + " for prompt " + (promptIndex + 1) + " \"" + abbreviate(prompt)
                + "\" with n=" + n + ", " + detail + "; the figures would be meaningless, so the benchmark stops"
                + " (this is a bug: please report it with this line)");
    }

    private static String abbreviate(String text) {
        String flat = text.replace("\n", " ");
        return flat.length() <= 40 ? flat : flat.substring(0, 37) + "...";
    }

    private static BenchReport.Row row(Config c, int n, RunTotals[] runs, RunTotals[] greedy) {
        int repeats = runs.length;
        double[] tps = new double[repeats];
        double[] speedUp = new double[repeats];
        double[] passMillis = new double[repeats];
        double[] draftMillis = new double[repeats];
        double[] draftCost = new double[repeats];
        double[] verifyCost = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            double greedyStep = greedy[r].passMillis();
            tps[r] = runs[r].tokensPerSecond();
            speedUp[r] = tps[r] / greedy[r].tokensPerSecond();
            passMillis[r] = runs[r].passMillis();
            draftMillis[r] = runs[r].draftPassMillis();
            draftCost[r] = draftMillis[r] / greedyStep;
            verifyCost[r] = passMillis[r] / greedyStep;
        }
        RunTotals first = runs[0];
        boolean plain = c.variant() == null;
        double acceptance = first.proposed == 0 ? Double.NaN : (double) first.accepted / first.proposed;
        double perPass = first.producingPasses == 0 ? 0 : (double) first.tokens / first.producingPasses;
        return new BenchReport.Row(plain ? "greedy" : c.variant().name(), c.k(), n, first.tokens,
                Spread.of(tps), Spread.of(speedUp), acceptance, perPass, spreadOrNull(passMillis),
                spreadOrNull(draftMillis), spreadOrNull(draftCost), plain ? null : spreadOrNull(verifyCost));
    }

    /** Null when some repeat had nothing to measure (no draft passes, no decoding step). */
    private static Spread spreadOrNull(double[] samples) {
        return Arrays.stream(samples).anyMatch(Double::isNaN) ? null : Spread.of(samples);
    }
}

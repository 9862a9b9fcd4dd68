package dev.specdec.bench;

import java.util.List;

/**
 * Results of a benchmark: one row per (generation length, drafting variant, k), plain greedy first
 * for each length, and the greedy output every speculative run was checked against.
 *
 * @param checkedGenerations speculative and repeated greedy generations compared token by token with
 *                           the greedy reference (all matched, or the run would have failed)
 */
public record BenchReport(List<Row> rows, List<GreedyOutput> greedyOutputs, int repeats, long checkedGenerations) {

    public BenchReport {
        rows = List.copyOf(rows);
        greedyOutputs = List.copyOf(greedyOutputs);
    }

    /**
     * One configuration's figures over the repeats. Rates and times are summed over the prompts within
     * a repeat, then summarised over repeats; ratios are taken within a repeat (side by side) first.
     *
     * @param k                   draft length, 0 for plain greedy
     * @param tokens              tokens generated per repeat, all prompts together
     * @param speedUp             tokens/s over greedy's tokens/s in the same repeat
     * @param acceptance          accepted / proposed draft tokens (NaN for greedy)
     * @param tokensPerTargetPass generated tokens per token-producing target pass
     * @param targetPassMillis    milliseconds per decoding target pass (one token for greedy, k+1 when verifying)
     * @param draftPassMillis     milliseconds per draft model forward pass, null without draft passes
     * @param draftCostRatio      c = draft time per draft pass / greedy target time per pass, null without draft passes
     * @param verifyCostRatio     target time per verification pass / greedy time per pass, null for greedy
     */
    public record Row(String draft, int k, int maxNewTokens, long tokens, Spread tokensPerSecond, Spread speedUp,
                      double acceptance, double tokensPerTargetPass, Spread targetPassMillis,
                      Spread draftPassMillis, Spread draftCostRatio, Spread verifyCostRatio) {

        public boolean greedy() {
            return k == 0;
        }
    }

    /** What plain greedy decoding produced for one prompt and length. */
    public record GreedyOutput(String prompt, int maxNewTokens, int[] tokens) {
    }
}

package dev.specdec.bench;

import dev.specdec.UsageException;

import java.util.List;

/**
 * What to measure: prompts (already tokenized), generation lengths, draft lengths k and drafting
 * variants, each speculative configuration against plain greedy decoding, repeated and interleaved.
 *
 * @param stopAtEos whether generation may end early at end-of-text (greedy and speculative alike)
 */
public record BenchPlan(List<Prompt> prompts, List<Integer> tokenCounts, List<Integer> kValues,
                        List<DraftVariant> variants, int repeats, int warmups, boolean stopAtEos) {

    /** A prompt's text (for reports) and its token ids (what is decoded). */
    public record Prompt(String text, int[] ids) {
    }

    public BenchPlan {
        prompts = List.copyOf(prompts);
        tokenCounts = List.copyOf(tokenCounts);
        kValues = List.copyOf(kValues);
        variants = List.copyOf(variants);
        if (prompts.isEmpty()) {
            throw new UsageException("no prompts to benchmark; give --prompt or --prompts-file");
        }
        if (tokenCounts.isEmpty() || tokenCounts.stream().anyMatch(n -> n < 1)) {
            throw new UsageException("-n needs token counts >= 1, got " + tokenCounts);
        }
        if (kValues.isEmpty() || kValues.stream().anyMatch(k -> k < 1)) {
            throw new UsageException("--k-values needs draft lengths >= 1, got " + kValues);
        }
        if (variants.isEmpty()) {
            throw new UsageException("--draft-variants is empty; name at least one drafting variant");
        }
        if (repeats < 1) {
            throw new UsageException("--repeats must be at least 1, got " + repeats);
        }
        if (warmups < 0) {
            throw new UsageException("--warmup must be >= 0, got " + warmups);
        }
    }
}

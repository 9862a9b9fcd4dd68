package dev.specdec.cli;

import dev.specdec.Generator;
import dev.specdec.Generator.Generation;
import dev.specdec.UsageException;
import dev.specdec.bench.JitWarmUp;
import dev.specdec.decode.DecodingStats;
import dev.specdec.decode.GenerationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code specdec compare}: the notebook's comparison done right — plain greedy and speculative greedy
 * on the same prompts after a warm-up, with times, speed-up, drafting statistics and whether the two
 * outputs are identical (they must be).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Plain greedy vs speculative greedy on the same prompt(s): texts, times, speed-up, acceptance.")
final class CompareCommand implements Callable<Integer> {

    @Mixin
    ModelOptions models;

    @Mixin
    DecodingOptions decoding;

    @Mixin
    PromptOptions prompt;

    @Option(names = "--prompts-file", paramLabel = "FILE",
            description = "Compare on every non-empty line of this file and print a summary.")
    Path promptsFile;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N",
            description = "Untimed warm-up runs of both decoders before measuring: at least N, then more (up to 30) "
                    + "until the JIT compiler spent under 2%% of a run compiling; 0 for none (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "N",
            description = "Timed runs of each decoder per prompt, interleaved; the run with the median time "
                    + "is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    /** Result of one prompt. */
    record Row(String prompt, Generation plain, Generation speculative) {
        boolean identical() {
            return Arrays.equals(plain.result().tokens(), speculative.result().tokens());
        }

        double speedUp() {
            return (double) plain.result().stats().totalNanos() / speculative.result().stats().totalNanos();
        }
    }

    @Override
    public Integer call() {
        GenerationConfig config = decoding.config();
        if (!config.greedy()) {
            throw new UsageException("compare checks that speculative output equals greedy output, so it runs "
                    + "greedy only; drop --temperature (use generate --temperature to sample)");
        }
        List<String> prompts = prompts();
        try (Generator generator = models.load(true)) {
            requireDraft(generator);
            List<Row> rows = run(generator, prompts, config, warmup, repeats);
            if (json) {
                System.out.println(Json.write(json(generator, config, rows)));
            } else {
                print(rows, config);
            }
            return rows.stream().allMatch(Row::identical) ? 0 : 1;
        }
    }

    static void requireDraft(Generator generator) {
        if (!generator.speculative()) {
            throw new UsageException("compare needs a draft: pass --draft (a draft model folder or Hub id)");
        }
    }

    private List<String> prompts() {
        if (promptsFile == null) {
            return List.of(prompt.text());
        }
        List<String> lines = PromptOptions.read(promptsFile).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            throw new UsageException("--prompts-file " + promptsFile + " has no non-empty lines");
        }
        return lines;
    }

    /**
     * Warms both decoders up, then runs plain and speculative greedy on every prompt {@code repeats}
     * times, alternating the two so a burst of load from elsewhere hits both alike, and keeps each
     * decoder's median-time run.
     */
    static List<Row> run(Generator generator, List<String> prompts, GenerationConfig config, int warmups, int repeats) {
        if (warmups < 0 || repeats < 1) {
            throw new UsageException("--warmup must be >= 0 and --repeats >= 1");
        }
        GenerationConfig warm = config.toBuilder().maxNewTokens(Math.min(32, config.maxNewTokens())).build();
        JitWarmUp.run(warmups, w -> {
            generator.generateWithoutDraft(prompts.get(0), warm, null);
            generator.generate(prompts.get(0), warm, null);
        });
        List<Row> rows = new ArrayList<>();
        for (String p : prompts) {
            List<Generation> plain = new ArrayList<>();
            List<Generation> spec = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                plain.add(generator.generateWithoutDraft(p, config, null));
                spec.add(generator.generate(p, config, null));
            }
            rows.add(new Row(p, median(plain), median(spec)));
        }
        return rows;
    }

    private static Generation median(List<Generation> runs) {
        List<Generation> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingLong(g -> g.result().stats().totalNanos()));
        return sorted.get(sorted.size() / 2);
    }

    static void print(List<Row> rows, GenerationConfig config) {
        boolean single = rows.size() == 1;
        for (Row r : rows) {
            DecodingStats g = r.plain().result().stats();
            DecodingStats s = r.speculative().result().stats();
            if (single) {
                System.out.println("prompt       " + r.prompt());
                System.out.println("greedy       " + r.plain().text().replace("\n", "\\n"));
                System.out.println("speculative  " + r.speculative().text().replace("\n", "\\n"));
                System.out.println("identical    " + (r.identical() ? "yes" : "NO"));
                System.out.println();
                System.out.println(StatsText.speed("greedy", g));
                System.out.println(StatsText.speed("speculative", s)
                        + String.format(Locale.ROOT, "  speed-up %.2fx (k=%s)", r.speedUp(), kLabel(config)));
                System.out.println(StatsText.drafting(s));
            } else {
                System.out.printf(Locale.ROOT, "%-40.40s  identical %-3s  greedy %7.1f tok/s  speculative %7.1f tok/s  "
                                + "speed-up %.2fx  acceptance %.3f  %.2f tok/pass%n",
                        r.prompt(), r.identical() ? "yes" : "NO", g.tokensPerSecond(), s.tokensPerSecond(),
                        r.speedUp(), s.acceptanceRate(), s.tokensPerTargetPass());
            }
        }
        if (!single) {
            Summary sum = Summary.of(rows);
            System.out.printf(Locale.ROOT, "summary: %d prompts, identical %d/%d, greedy %.1f tok/s, speculative %.1f tok/s, "
                            + "speed-up %.2fx, acceptance %.3f, %.2f tokens per target pass (k=%s)%n",
                    rows.size(), sum.identical, rows.size(), sum.plainTokensPerSecond(), sum.specTokensPerSecond(),
                    sum.speedUp(), sum.acceptance(), sum.tokensPerPass(), kLabel(config));
        }
    }

    static String kLabel(GenerationConfig config) {
        return config.adaptiveDraftLength() ? "auto" : Integer.toString(config.draftLength());
    }

    /** Totals over prompts: rates are ratios of sums, so long outputs weigh more. */
    record Summary(int identical, long plainTokens, long plainNanos, long specTokens, long specNanos,
                   long proposed, long accepted, long passes) {
        static Summary of(List<Row> rows) {
            int identical = 0;
            long pt = 0, pn = 0, st = 0, sn = 0, prop = 0, acc = 0, passes = 0;
            for (Row r : rows) {
                identical += r.identical() ? 1 : 0;
                DecodingStats g = r.plain().result().stats();
                DecodingStats s = r.speculative().result().stats();
                pt += g.generatedTokens();
                pn += g.totalNanos();
                st += s.generatedTokens();
                sn += s.totalNanos();
                prop += s.proposedTokens();
                acc += s.acceptedTokens();
                passes += s.targetPasses();
            }
            return new Summary(identical, pt, pn, st, sn, prop, acc, passes);
        }

        double plainTokensPerSecond() {
            return plainTokens * 1e9 / plainNanos;
        }

        double specTokensPerSecond() {
            return specTokens * 1e9 / specNanos;
        }

        double speedUp() {
            return specTokensPerSecond() / plainTokensPerSecond();
        }

        double acceptance() {
            return proposed == 0 ? Double.NaN : (double) accepted / proposed;
        }

        double tokensPerPass() {
            return passes == 0 ? 0 : (double) specTokens / passes;
        }
    }

    private static Map<String, Object> json(Generator generator, GenerationConfig config, List<Row> rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", generator.target().directory().toString());
        m.put("draft", generator.draft() == null ? null : generator.draft().directory().toString());
        m.put("k", kLabel(config));
        m.put("max_new_tokens", config.maxNewTokens());
        List<Map<String, Object>> items = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("prompt", r.prompt());
            item.put("identical", r.identical());
            item.put("greedy_text", r.plain().text());
            item.put("speculative_text", r.speculative().text());
            item.put("speed_up", r.speedUp());
            item.put("greedy", StatsText.json(r.plain().result().stats()));
            item.put("speculative", StatsText.json(r.speculative().result().stats()));
            items.add(item);
        }
        m.put("results", items);
        Summary s = Summary.of(rows);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("prompts", rows.size());
        summary.put("identical", s.identical());
        summary.put("greedy_tokens_per_second", s.plainTokensPerSecond());
        summary.put("speculative_tokens_per_second", s.specTokensPerSecond());
        summary.put("speed_up", s.speedUp());
        summary.put("acceptance_rate", Double.isNaN(s.acceptance()) ? null : s.acceptance());
        summary.put("tokens_per_target_pass", s.tokensPerPass());
        m.put("summary", summary);
        return m;
    }
}

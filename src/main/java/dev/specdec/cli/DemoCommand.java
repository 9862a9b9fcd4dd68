package dev.specdec.cli;

import dev.specdec.Generator;
import dev.specdec.Generator.Generation;
import dev.specdec.bench.JitWarmUp;
import dev.specdec.decode.GenerationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code specdec demo}: the main job on the shipped demo pair, offline — the notebook's comparison of
 * greedy and speculative decoding, then one speculative sampling example.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the notebook's comparison on the shipped demo pair (greedy vs speculative), then a sampling example.")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    ModelOptions models;

    @Mixin
    PromptOptions prompt;

    @Option(names = {"-n", "--max-new-tokens"}, defaultValue = "64", paramLabel = "N",
            description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    // 3, not the CLI's usual 4: on the demo pair's looping text the fourth draft token is almost never
    // accepted (docs/BENCHMARKS.md), so verifying it costs more than it yields.
    @Option(names = {"-k", "--k"}, defaultValue = "3", paramLabel = "K",
            description = "Draft tokens per target pass (default: ${DEFAULT-VALUE}).")
    int k;

    @Override
    public Integer call() {
        String text = prompt.text();
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(maxNewTokens).draftLength(k).build();
        try (Generator generator = models.load(true)) {
            CompareCommand.requireDraft(generator);
            System.out.println("target  " + generator.target().directory() + "  (" + generator.target().config().layers()
                    + " layers, " + generator.target().format().cliName() + ")");
            System.out.println("draft   " + (generator.draft() == null ? "none" : generator.draft().directory() + "  ("
                    + generator.draft().config().layers() + " layers, " + generator.draft().format().cliName() + ")"));
            System.out.println();
            List<CompareCommand.Row> rows = CompareCommand.run(generator, List.of(text), greedy, 2, 7);
            CompareCommand.print(rows, greedy);

            GenerationConfig sampled = greedy.toBuilder().temperature(0.8).topP(0.95).seed(1).build();
            // Sampling runs kernels greedy decoding does not (the warper's): warm them up as well, so the
            // printed speed is not the compiler's.
            GenerationConfig warm = sampled.toBuilder().maxNewTokens(Math.min(32, maxNewTokens)).build();
            JitWarmUp.run(1, w -> generator.generate(text, warm, null));
            System.out.println();
            System.out.println("speculative sampling (temperature 0.8, top-p 0.95, seed 1; same distribution as the target alone):");
            System.out.print(text);
            Generation g = generator.generate(text, sampled, piece -> {
                System.out.print(piece);
                System.out.flush();
            });
            System.out.println();
            System.out.printf(Locale.ROOT, "%s  acceptance %.3f, %.2f tokens per target pass%n",
                    StatsText.speed("sampled", g.result().stats()), g.result().stats().acceptanceRate(),
                    g.result().stats().tokensPerTargetPass());
            return rows.get(0).identical() ? 0 : 1;
        }
    }
}

package dev.specdec.cli;

import dev.specdec.Generator;
import dev.specdec.Generator.Generation;
import dev.specdec.decode.GenerationConfig;
import dev.specdec.decode.GenerationResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code specdec generate}: continue a prompt, streaming the text. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt with the target model; speculatively when --draft is given.")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions models;

    @Mixin
    DecodingOptions decoding;

    @Mixin
    PromptOptions prompt;

    @Option(names = "--json", description = "Print one JSON object (ids, text, statistics) instead of streaming text.")
    boolean json;

    @Override
    public Integer call() {
        GenerationConfig config = decoding.config();
        String text = prompt.text();
        try (Generator generator = models.load(false)) {
            PrintStream out = System.out;
            if (!json) {
                out.print(text);
                out.flush();
            }
            Generation g = generator.generate(text, config, json ? null : piece -> {
                out.print(piece);
                out.flush();
            });
            GenerationResult r = g.result();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", generator.target().directory().toString());
                m.put("draft", generator.draft() == null ? null : generator.draft().directory().toString());
                m.put("mode", generator.speculative() ? "speculative" : "plain");
                m.put("sampling", config.greedy() ? "greedy" : "sampled");
                m.put("prompt", text);
                m.put("prompt_ids", r.promptTokens());
                m.put("generated_ids", r.tokens());
                m.put("text", g.text());
                m.put("stop_reason", r.stopReason().name().toLowerCase(java.util.Locale.ROOT));
                m.put("stats", StatsText.json(r.stats()));
                out.println(Json.write(m));
            } else {
                out.println();
                System.err.println(StatsText.speed(generator.speculative() ? "speculative" : "plain", r.stats()));
                if (generator.speculative()) {
                    System.err.println(StatsText.drafting(r.stats()));
                }
            }
        }
        return 0;
    }
}

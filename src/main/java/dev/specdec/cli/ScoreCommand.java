package dev.specdec.cli;

import dev.specdec.Generator;
import dev.specdec.model.TextScorer;
import dev.specdec.tokenizer.Gpt2Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code specdec score}: per-token log-probabilities and perplexity of a text under a model. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Print the log-probability of every token of a text and its perplexity.")
final class ScoreCommand implements Callable<Integer> {

    @Mixin
    ModelOptions models;

    @Option(names = {"-f", "--text-file"}, required = true, paramLabel = "FILE", description = "UTF-8 text to score.")
    Path textFile;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        String text = PromptOptions.read(textFile);
        try (Generator generator = models.load(false)) {
            Gpt2Tokenizer tokenizer = generator.tokenizer();
            int[] ids = tokenizer.encode(text);
            TextScorer.Score score = TextScorer.score(generator.target(), ids);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", generator.target().directory().toString());
                m.put("tokens", ids.length);
                List<Map<String, Object>> rows = new ArrayList<>();
                for (int i = 1; i < ids.length; i++) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", ids[i]);
                    row.put("token", tokenizer.decode(new int[] {ids[i]}));
                    row.put("logprob", score.tokenLogProbs()[i - 1]);
                    rows.add(row);
                }
                m.put("token_logprobs", rows);
                m.put("perplexity", score.perplexity());
                System.out.println(Json.write(m));
            } else {
                System.out.printf("%6s  %7s  %10s  %s%n", "pos", "id", "logprob", "token");
                for (int i = 1; i < ids.length; i++) {
                    System.out.printf(Locale.ROOT, "%6d  %7d  %10.4f  %s%n", i, ids[i], score.tokenLogProbs()[i - 1],
                            printable(tokenizer.decode(new int[] {ids[i]})));
                }
                System.out.printf(Locale.ROOT, "perplexity %.4f over %d scored tokens%n", score.perplexity(), score.scoredTokens());
            }
        }
        return 0;
    }

    private static String printable(String token) {
        return token.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
    }
}

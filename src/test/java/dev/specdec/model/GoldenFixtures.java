package dev.specdec.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;

/**
 * The checkpoints and transformers outputs written by {@code tools/reference/make_fixtures.py}
 * into {@code src/test/resources/fixtures} (layout in {@code tools/reference/README.md}).
 */
public final class GoldenFixtures {

    /** Every checkpoint folder that has a golden.json. */
    public static final List<String> CHECKPOINTS = List.of(
            "tiny-1l", "tiny-3l", "tiny-3l-noprefix", "tiny-3l-f16", "tiny-3l-bf16", "tiny-3l-lmhead",
            "tiny-1l-draft", "v8-target", "v8-draft", "full-vocab");

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One checkpoint's golden.json. */
    public record Golden(String checkpoint, List<Sequence> sequences, List<Greedy> greedy) {
    }

    /**
     * A token sequence scored by transformers: logits at {@code logitPositions}, the log-probability of
     * every token after the first, and the perplexity.
     */
    public record Sequence(String name, int[] ids, int[] logitPositions, float[][] logits,
                           double[] tokenLogProbs, double perplexity) {
    }

    /** A greedy continuation by {@code generate(do_sample=False)}. */
    public record Greedy(int[] prompt, int maxNewTokens, int[] newIds, boolean stoppedAtEos) {
    }

    /** One tokenizer case: transformers' ids for {@code text} and its decode of them. */
    public record TokenCase(String text, int[] ids, String decoded) {
    }

    /** A decode of some ids without a source text (prefixes of a multi-byte character). */
    public record PartialDecode(int[] ids, String decoded) {
    }

    /** A golden-tokens.json: tricky texts and partial decodes. */
    public record TokenGoldens(List<TokenCase> cases, List<PartialDecode> partialDecodes) {
    }

    private GoldenFixtures() {
    }

    /** The folder of a fixture, e.g. {@code tiny-3l} or {@code gpt2-tokenizer}. */
    public static Path folder(String name) {
        URL url = GoldenFixtures.class.getResource("/fixtures/" + name);
        if (url == null) {
            throw new IllegalStateException("no fixture " + name + "; run tools/reference/make_fixtures.py");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Golden golden(String checkpoint) {
        return read(folder(checkpoint).resolve("golden.json"), Golden.class);
    }

    /** The golden-tokens.json of a fixture folder: {@code gpt2-tokenizer} or {@code tiny-3l}. */
    public static TokenGoldens tokenGoldens(String folder) {
        return read(folder(folder).resolve("golden-tokens.json"), TokenGoldens.class);
    }

    private static <T> T read(Path file, Class<T> type) {
        try {
            return JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

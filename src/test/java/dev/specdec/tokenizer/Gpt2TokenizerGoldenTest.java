package dev.specdec.tokenizer;

import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.GoldenFixtures.PartialDecode;
import dev.specdec.model.GoldenFixtures.TokenCase;
import dev.specdec.model.GoldenFixtures.TokenGoldens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tokenizer against transformers' ids and decodes of tricky texts, for the real GPT-2 vocabulary
 * and for the 300-token vocabulary of the tiny fixture models.
 */
class Gpt2TokenizerGoldenTest {

    /** Loaded once per folder: parsing GPT-2's tokenizer.json takes a second or two. */
    private static final Map<String, Gpt2Tokenizer> TOKENIZERS = new HashMap<>();

    @AfterAll
    static void close() {
        TOKENIZERS.values().forEach(Gpt2Tokenizer::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tokenizer", "tiny-3l"})
    void encodeGivesTransformersIds(String folder) {
        TokenGoldens goldens = goldens(folder);
        Gpt2Tokenizer tokenizer = tokenizer(folder);
        assertAll(goldens.cases().stream().map(c -> () ->
                assertArrayEquals(c.ids(), tokenizer.encode(c.text()), "encode(" + quoted(c.text()) + ")")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tokenizer", "tiny-3l"})
    void decodeGivesTransformersText(String folder) {
        TokenGoldens goldens = goldens(folder);
        Gpt2Tokenizer tokenizer = tokenizer(folder);
        assertAll(goldens.cases().stream().map(c -> () ->
                assertEquals(c.decoded(), tokenizer.decode(c.ids()), "decode of " + quoted(c.text()))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tokenizer", "tiny-3l"})
    void decodingPartOfACharacterGivesTransformersReplacementCharacters(String folder) {
        TokenGoldens goldens = goldens(folder);
        assertTrue(goldens.partialDecodes().stream().anyMatch(p -> p.decoded().contains("\uFFFD")),
                "the fixture must contain a broken UTF-8 sequence");
        Gpt2Tokenizer tokenizer = tokenizer(folder);
        assertAll(goldens.partialDecodes().stream().map((PartialDecode p) -> () ->
                assertEquals(p.decoded(), tokenizer.decode(p.ids()), "decode " + Arrays.toString(p.ids()))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tokenizer", "tiny-3l"})
    void endOfTextInsideTextIsOneSpecialToken(String folder) {
        TokenGoldens goldens = goldens(folder);
        int[] alone = find(goldens, "<|endoftext|>").ids();
        assertEquals(1, alone.length, "<|endoftext|> alone is one id in the golden");
        TokenCase inText = find(goldens, "before<|endoftext|>after");
        assertTrue(Arrays.stream(inText.ids()).anyMatch(id -> id == alone[0]), "golden has the special id");
        Gpt2Tokenizer tokenizer = tokenizer(folder);
        assertArrayEquals(inText.ids(), tokenizer.encode(inText.text()));
    }

    private static Gpt2Tokenizer tokenizer(String folder) {
        return TOKENIZERS.computeIfAbsent(folder, f -> Gpt2Tokenizer.load(GoldenFixtures.folder(f)));
    }

    private static TokenGoldens goldens(String folder) {
        TokenGoldens goldens = GoldenFixtures.tokenGoldens(folder);
        assertTrue(goldens.cases().size() >= 15, folder + "/golden-tokens.json lost its cases");
        return goldens;
    }

    private static TokenCase find(TokenGoldens goldens, String text) {
        return goldens.cases().stream().filter(c -> c.text().equals(text)).findFirst().orElseThrow();
    }

    private static String quoted(String text) {
        return '"' + text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t") + '"';
    }
}

package dev.specdec.tokenizer;

import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.GoldenFixtures.PartialDecode;
import dev.specdec.model.GoldenFixtures.TokenCase;
import dev.specdec.model.GoldenFixtures.TokenGoldens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GPT-2 tokenizer against transformers' ids and decodes of tricky texts. */
class Gpt2TokenizerGoldenTest {

    private static Gpt2Tokenizer tokenizer;
    private static TokenGoldens goldens;

    @BeforeAll
    static void load() {
        tokenizer = Gpt2Tokenizer.load(GoldenFixtures.folder("gpt2-tokenizer"));
        goldens = GoldenFixtures.tokenGoldens();
        assertTrue(goldens.cases().size() >= 15, "golden-tokens.json lost its cases");
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void encodeGivesTransformersIds() {
        assertAll(goldens.cases().stream().map(c -> () ->
                assertArrayEquals(c.ids(), tokenizer.encode(c.text()), "encode(" + quoted(c.text()) + ")")));
    }

    @Test
    void decodeGivesTransformersText() {
        assertAll(goldens.cases().stream().map(c -> () ->
                assertEquals(c.decoded(), tokenizer.decode(c.ids()), "decode of " + quoted(c.text()))));
    }

    @Test
    void decodingPartOfACharacterGivesTransformersReplacementCharacters() {
        assertTrue(goldens.partialDecodes().stream().anyMatch(p -> p.decoded().contains("\uFFFD")),
                "the fixture must contain a broken UTF-8 sequence");
        assertAll(goldens.partialDecodes().stream().map((PartialDecode p) -> () ->
                assertEquals(p.decoded(), tokenizer.decode(p.ids()), "decode " + Arrays.toString(p.ids()))));
    }

    @Test
    void endOfTextInsideTextIsTheSpecialToken() {
        TokenCase inText = goldens.cases().stream()
                .filter(c -> c.text().equals("before<|endoftext|>after")).findFirst().orElseThrow();
        assertTrue(Arrays.stream(inText.ids()).anyMatch(id -> id == 50256), "golden has id 50256");
        assertArrayEquals(inText.ids(), tokenizer.encode(inText.text()));
    }

    private static String quoted(String text) {
        return '"' + text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t") + '"';
    }
}

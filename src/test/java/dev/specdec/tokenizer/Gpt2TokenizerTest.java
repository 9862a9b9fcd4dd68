package dev.specdec.tokenizer;

import dev.specdec.SpecdecException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gpt2TokenizerTest {
    private static final int END_OF_TEXT = 50256;
    private static Gpt2Tokenizer tokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        tokenizer = Gpt2Tokenizer.load(TokenizerFixtures.GPT2_TOKENIZER);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void encodesAndDecodesLikeTransformers() {
        for (TokenizerFixtures.Case golden : TokenizerFixtures.goldenCases()) {
            assertArrayEquals(golden.ids(), tokenizer.encode(golden.text()), golden.text());
            assertEquals(golden.decoded(), tokenizer.decode(golden.ids()), golden.text());
        }
    }

    @Test
    void decodesIncompleteCharactersAsReplacementCharacters() {
        for (TokenizerFixtures.Case golden : TokenizerFixtures.partialDecodes()) {
            assertEquals(golden.decoded(), tokenizer.decode(golden.ids()), Arrays.toString(golden.ids()));
        }
    }

    @Test
    void roundTripsTextExactly() {
        String text = "  Spaces , before punctuation ! and after.\n\ttab   \u00e9\u0301 \ud83d\ude00\ud83c\udf0d"
                + " \u4e2d\u6587 <|endoftext|> isn 't ";
        assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
    }

    @Test
    void encodesEndOfTextAsOneSpecialToken() {
        assertArrayEquals(new int[] {END_OF_TEXT}, tokenizer.encode("<|endoftext|>"));
        assertEquals("<|endoftext|>", tokenizer.token(END_OF_TEXT));
    }

    @Test
    void neverTruncates() {
        int[] ids = tokenizer.encode("Hello world<|endoftext|>".repeat(1000));
        assertEquals(3000, ids.length);
        for (int i = 0; i < ids.length; i += 3) {
            assertArrayEquals(new int[] {15496, 995, END_OF_TEXT}, Arrays.copyOfRange(ids, i, i + 3), "at " + i);
        }
    }

    @Test
    void exposesTheRawVocabulary() {
        assertEquals(50257, tokenizer.vocabSize());
        assertEquals(50257, tokenizer.vocabulary().size());
        assertEquals("Ġworld", tokenizer.token(995));
        assertEquals("Hello", tokenizer.token(15496));
        assertEquals("!", tokenizer.token(0));
        assertEquals("Ġ", tokenizer.vocabulary().get(220));
    }

    @Test
    void refusesIdsOutsideTheVocabulary() {
        SpecdecException e = assertThrows(SpecdecException.class, () -> tokenizer.decode(new int[] {1, 50257}));
        assertEquals("token id 50257 is outside the tokenizer's vocabulary of 50257 tokens;"
                + " the model and tokenizer do not match", e.getMessage());
        assertThrows(SpecdecException.class, () -> tokenizer.token(-1));
    }

    @Test
    void explainsHowToCreateTokenizerJsonFromVocabAndMerges() throws IOException {
        Files.copy(TokenizerFixtures.GPT2_TOKENIZER.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.copy(TokenizerFixtures.GPT2_TOKENIZER.resolve("merges.txt"), dir.resolve("merges.txt"));
        SpecdecException e = assertThrows(SpecdecException.class, () -> Gpt2Tokenizer.load(dir));
        assertEquals("model folder " + dir + " has vocab.json and merges.txt but no tokenizer.json, which specdec"
                + " needs; create it with python -c \"from transformers import AutoTokenizer as T;"
                + " T.from_pretrained('" + dir + "').save_pretrained('" + dir + "')\"", e.getMessage());
    }

    @Test
    void refusesFolderWithoutTokenizer() {
        SpecdecException e = assertThrows(SpecdecException.class, () -> Gpt2Tokenizer.load(dir));
        assertEquals("model folder " + dir + " has no tokenizer (tokenizer.json); download the checkpoint's"
                + " tokenizer.json into it", e.getMessage());
    }

    @Test
    void refusesTokenizerJsonWithoutBpeVocabulary() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\"}}");
        SpecdecException e = assertThrows(SpecdecException.class, () -> Gpt2Tokenizer.load(dir));
        assertEquals(dir.resolve("tokenizer.json") + " has no model.vocab object; it is not a BPE tokenizer like"
                + " GPT-2's", e.getMessage());
    }

    @Test
    void refusesTokenizerJsonThatIsNotJson() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": ");
        SpecdecException e = assertThrows(SpecdecException.class, () -> Gpt2Tokenizer.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer.json") + " is not valid JSON"), e.getMessage());
    }

    @Test
    void switchesDjlToOfflineModeSoItNeitherDownloadsNorSendsTelemetry() {
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
    }
}

package dev.specdec.tokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class StreamingDetokenizerTest {
    private static Gpt2Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = Gpt2Tokenizer.load(TokenizerFixtures.GPT2_TOKENIZER);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void holdsBackHalfCharactersUntilTheyAreComplete() {
        // Golden ids for "family: 👨‍👩..." : 41840 and 101 are the two halves of 👨's four bytes, 447 and 235
        // the halves of the zero-width joiner.
        StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer);
        assertEquals("family", stream.push(17989));
        assertEquals(":", stream.push(25));
        assertEquals("", stream.push(50169));
        assertEquals(" \ud83d\udc68", stream.push(101));
        assertEquals("", stream.push(447));
        assertEquals("\u200d", stream.push(235));
        assertEquals("", stream.push(41840));
        assertEquals("\ud83d\udc69", stream.push(102));
        assertEquals("", stream.flush());
    }

    @Test
    void pushesConcatenateToTheFullDecodeWithoutReplacementCharacters() {
        for (TokenizerFixtures.Case golden : TokenizerFixtures.goldenCases()) {
            StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer);
            StringBuilder text = new StringBuilder();
            for (int id : golden.ids()) {
                String piece = stream.push(id);
                assertFalse(piece.contains("\uFFFD"), golden.text() + ": push of " + id + " gave " + piece);
                text.append(piece);
            }
            assertEquals(golden.decoded(), text.toString(), golden.text());
            assertEquals("", stream.flush(), golden.text());
        }
    }

    @Test
    void streamsLongMixedTextLikeOneDecode() {
        String text = ("Emoji 🎉🧑‍🚀 and CJK 漢字かな交じり文 mixed with ASCII. ").repeat(40);
        int[] ids = tokenizer.encode(text);
        StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer);
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            String piece = stream.push(id);
            assertFalse(piece.contains("\uFFFD"), piece);
            streamed.append(piece);
        }
        streamed.append(stream.flush());
        assertEquals(text, streamed.toString());
    }

    @Test
    void flushReturnsAnUnfinishedCharacterAsReplacement() {
        StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer);
        assertEquals("", stream.push(41840));
        assertEquals("\uFFFD", stream.flush());
        assertEquals("Hello", stream.push(15496));
    }

    @Test
    void pushOfSeveralIdsReturnsTheirCompletedText() {
        StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer);
        assertEquals(" \ud83d\udc68", stream.push(new int[] {50169, 101, 447}));
        assertEquals("\u200d", stream.push(new int[] {235}));
    }

    @Test
    void decodesEachGoldenPrefixConsistently() {
        // A sanity check of the premise: decoding a prefix that ends mid-character yields a trailing U+FFFD.
        for (TokenizerFixtures.Case partial : TokenizerFixtures.partialDecodes()) {
            String decoded = tokenizer.decode(partial.ids());
            assertEquals(partial.decoded().endsWith("\uFFFD"), decoded.endsWith("\uFFFD"), Arrays.toString(partial.ids()));
        }
    }
}

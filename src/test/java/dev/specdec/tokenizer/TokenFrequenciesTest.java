package dev.specdec.tokenizer;

import dev.specdec.SpecdecException;
import dev.specdec.model.GoldenFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ranking, file round trip and the tokenizer check of frequency tables. */
class TokenFrequenciesTest {

    @Test
    void ranksByCountThenId() {
        long[] counts = {0, 5, 2, 5, 0, 9};
        TokenFrequencies t = TokenFrequencies.fromCounts(counts, "abc", List.of("test"));
        assertArrayEquals(new int[] {5, 1, 3, 2}, t.ids());
        assertArrayEquals(new long[] {9, 5, 5, 2}, t.counts());
        assertEquals(21, t.totalTokens());
        assertArrayEquals(new int[] {5, 1}, t.mostFrequent(2));
        assertArrayEquals(new int[] {5, 1, 3, 2}, t.mostFrequent(10));
        assertEquals(14.0 / 21, t.coverage(2), 1e-12);
        TokenFrequencies top = t.top(2);
        assertEquals(21, top.totalTokens());
        assertEquals(14.0 / 21, top.coverage(5), 1e-12);
    }

    @Test
    void writesAndReadsBack(@TempDir Path dir) {
        TokenFrequencies t = TokenFrequencies.fromCounts(new long[] {3, 0, 7}, "f00d", List.of("source: unit test"));
        Path file = dir.resolve("t.txt");
        t.top(1).write(file);
        TokenFrequencies back = TokenFrequencies.read(file);
        assertEquals(3, back.vocabSize());
        assertEquals("f00d", back.fingerprint());
        assertEquals(10, back.totalTokens());
        assertArrayEquals(new int[] {2}, back.ids());
        assertArrayEquals(new long[] {7}, back.counts());
        assertEquals(List.of("source: unit test"), back.provenance());
    }

    @Test
    void matchesOnlyTheTokenizerItWasMadeWith() {
        try (Gpt2Tokenizer gpt2 = Gpt2Tokenizer.load(GoldenFixtures.folder("gpt2-tokenizer"));
             Gpt2Tokenizer tiny = Gpt2Tokenizer.load(GoldenFixtures.folder("tiny-3l"))) {
            TokenFrequencies t = TokenFrequencies.fromCounts(new long[gpt2.vocabSize()], TokenFrequencies.fingerprint(gpt2), List.of());
            assertTrue(t.matches(gpt2));
            assertFalse(t.matches(tiny));
        }
    }

    @Test
    void shippedGpt2TableFitsTheGpt2Tokenizer() {
        Path shipped = Path.of("models", "vocab", "gpt2-brown.txt");
        TokenFrequencies t = TokenFrequencies.read(shipped);
        try (Gpt2Tokenizer gpt2 = Gpt2Tokenizer.load(GoldenFixtures.folder("gpt2-tokenizer"))) {
            assertTrue(t.matches(gpt2));
        }
        assertEquals(16384, t.ids().length);
        // " the" (262) is the most frequent GPT-2 token of English prose.
        assertEquals(262, t.ids()[0]);
    }

    @Test
    void malformedTablesAreReportedWithTheirLine(@TempDir Path dir) throws Exception {
        Path noHeader = Files.writeString(dir.resolve("a.txt"), "1 2\n");
        assertThrows(SpecdecException.class, () -> TokenFrequencies.read(noHeader));
        Path bad = Files.writeString(dir.resolve("b.txt"), "# tokenizer: vocab_size=3 sha256=ab\n# total_tokens: 4\n1 x\n");
        SpecdecException e = assertThrows(SpecdecException.class, () -> TokenFrequencies.read(bad));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertThrows(SpecdecException.class, () -> TokenFrequencies.read(dir.resolve("missing.txt")));
    }
}

package dev.specdec.cli;

import dev.specdec.model.GoldenFixtures;
import dev.specdec.tokenizer.TokenFrequencies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code specdec vocab-stats} counts GPT-2 ids over text files; expected ids from transformers' tokenizer. */
class VocabStatsCommandTest {

    private static final Path GPT2 = GoldenFixtures.folder("gpt2-tokenizer");

    @Test
    void countsIdsOverFilesMostFrequentFirst(@TempDir Path dir) throws Exception {
        // "the" 1169, " the" 262, " cat" 3797, "\n" 198; "The" 464.
        Path a = Files.writeString(dir.resolve("a.txt"), "the the the cat\n");
        Path b = Files.writeString(dir.resolve("b.txt"), "The cat");
        Path out = dir.resolve("table.txt");
        assertEquals(0, Main.run("vocab-stats", "--tokenizer", GPT2.toString(), "--output", out.toString(),
                "--source", "two test files", a.toString(), b.toString()));
        TokenFrequencies table = TokenFrequencies.read(out);
        assertArrayEquals(new int[] {262, 3797, 198, 464, 1169}, table.ids());
        assertArrayEquals(new long[] {2, 2, 1, 1, 1}, table.counts());
        assertEquals(7, table.totalTokens());
        assertEquals(50257, table.vocabSize());
        assertTrue(table.provenance().contains("source: two test files"), table.provenance().toString());
        assertTrue(Files.readString(out).startsWith("# specdec token frequencies"));
    }

    @Test
    void longTextsAreCountedAsAWhole(@TempDir Path dir) throws Exception {
        // Each unit is "the" " cat" "\n" "The" " cat" "\n\n" (628) "\n" "sat" (49720) "\n"; 3200 units (73,600 characters)
        // make well over one tokenizer chunk, and the triple newline must never be cut.
        Path text = Files.writeString(dir.resolve("long.txt"), "the cat\nThe cat\n\n\nsat\n".repeat(3200));
        Path out = dir.resolve("table.txt");
        assertEquals(0, Main.run("vocab-stats", "--tokenizer", GPT2.toString(), "--output", out.toString(),
                "--top", "3", text.toString()));
        TokenFrequencies table = TokenFrequencies.read(out);
        assertArrayEquals(new int[] {198, 3797, 464}, table.ids());
        assertArrayEquals(new long[] {9600, 6400, 3200}, table.counts());
        assertEquals(3200 * 9, table.totalTokens());
    }

    @Test
    void refusesANegativeTop(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("t.txt"), "x");
        assertEquals(2, Main.run("vocab-stats", "--tokenizer", GPT2.toString(), "--output",
                dir.resolve("o.txt").toString(), "--top", "-1", text.toString()));
    }
}

package dev.specdec.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specdec.model.GoldenFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drafting flags of {@code generate} end to end on the tiny fixtures: every drafting choice
 * emits the plain greedy ids, and impossible combinations are usage errors (exit code 2).
 */
class DraftingOptionsTest {

    private static final String TARGET = GoldenFixtures.folder("tiny-3l").toString();
    private static final String DRAFT = GoldenFixtures.folder("tiny-1l-draft").toString();
    private static final String PROMPT = "the cat and the dog and the cat and the";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode plain;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static JsonNode generate(String... drafting) throws Exception {
        List<String> args = new ArrayList<>(List.of("generate", "--model", TARGET, "--prompt", PROMPT,
                "--max-new-tokens", "24", "--json"));
        args.addAll(List.of(drafting));
        CliRun r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out());
    }

    @BeforeAll
    static void plainRun() throws Exception {
        plain = generate();
        assertEquals("plain", plain.get("mode").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--lookup",
        "--lookup --lookup-ngram 3 --lookup-min-ngram 2 --lookup-tokens 4",
        "--draft DRAFT --lookup-combined",
        "--draft self-int8",
        "--draft self-int8 --draft-confidence 0.5",
        "--draft DRAFT --draft-dtype f32 --draft-vocab 0",
        "--draft DRAFT --k auto --draft-confidence 0.3",
    })
    void everyDraftingChoiceEmitsThePlainGreedyIds(String flags) throws Exception {
        JsonNode spec = generate(flags.replace("DRAFT", DRAFT).split(" "));
        assertEquals("speculative", spec.get("mode").asText(), flags);
        assertEquals(plain.get("generated_ids"), spec.get("generated_ids"), flags);
    }

    @Test
    void lookupAloneAcceptsDraftsOnARepetitivePrompt() throws Exception {
        JsonNode spec = generate("--lookup");
        assertEquals(0, spec.get("stats").get("draft_passes").asLong());
        assertTrue(spec.get("stats").get("accepted_tokens").asLong() > 0, spec.toString());
    }

    @Test
    void impossibleCombinationsAreUsageErrors(@TempDir Path dir) throws Exception {
        assertEquals(2, run("generate", "--model", TARGET, "--prompt", PROMPT, "--lookup", "--draft", DRAFT).code());
        assertEquals(2, run("generate", "--model", TARGET, "--prompt", PROMPT, "--lookup", "--lookup-combined").code());
        assertEquals(2, run("generate", "--model", TARGET, "--prompt", PROMPT, "--lookup-combined").code());
        assertEquals(2, run("generate", "--model", TARGET, "--prompt", PROMPT, "--draft", "self-int8",
                "--draft-dtype", "f32").code());
        assertEquals(2, run("generate", "--model", TARGET, "--prompt", PROMPT, "--draft", DRAFT,
                "--draft-confidence", "1").code());
        assertEquals(2, run("generate", "--model", TARGET, "--prompt", PROMPT, "--lookup",
                "--lookup-ngram", "1", "--lookup-min-ngram", "2").code());
        // The shipped table is for GPT-2's tokenizer, not the fixtures' 300-token one.
        CliRun mismatch = run("generate", "--model", TARGET, "--prompt", PROMPT, "--draft", DRAFT,
                "--draft-vocab", "100", "--draft-vocab-file", Path.of("models", "vocab", "gpt2-brown.txt").toString());
        assertEquals(2, mismatch.code());
        assertTrue(mismatch.err().contains("another tokenizer"), mismatch.err());
        Path missing = dir.resolve("none.txt");
        assertEquals(1, run("generate", "--model", TARGET, "--prompt", PROMPT, "--draft", DRAFT,
                "--draft-vocab", "100", "--draft-vocab-file", missing.toString()).code());
        assertTrue(Files.notExists(missing));
    }

    @Test
    void aMatchingTableIsUsedByDefault(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("t.txt"), PROMPT + " " + PROMPT);
        Path table = dir.resolve("tiny.txt");
        assertEquals(0, run("vocab-stats", "--tokenizer", TARGET, "--output", table.toString(), text.toString()).code());
        CliRun r = run("generate", "--model", TARGET, "--prompt", PROMPT, "--max-new-tokens", "24", "--json",
                "--draft", DRAFT, "--draft-vocab-file", table.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(plain.get("generated_ids"), JSON.readTree(r.out()).get("generated_ids"));
        // The prompt's words use far fewer than the default 8192 ids, so the draft keeps all of them.
        assertTrue(r.err().matches("(?s).*vocab=\\d{1,2}\\b.*"), r.err());
    }
}

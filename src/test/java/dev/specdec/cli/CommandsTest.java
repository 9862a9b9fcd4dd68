package dev.specdec.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specdec.model.GoldenFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * generate, compare, demo and score end to end on the tiny fixtures, and the one-line errors a user
 * gets for the usual mistakes (exit 2 for usage, 1 for the rest, never a stack trace).
 */
class CommandsTest {

    private static final String TARGET = GoldenFixtures.folder("tiny-3l").toString();
    private static final String DRAFT = GoldenFixtures.folder("tiny-3l-bf16").toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static void assertOneLineError(CliRun r, int code, String mustMention) {
        assertEquals(code, r.code(), r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("error: "), err);
        assertEquals(1, err.lines().count(), "one line, no stack trace: " + err);
        assertTrue(err.contains(mustMention), err);
    }

    @Test
    void generateJsonHoldsIdsTextAndStatistics() throws Exception {
        CliRun r = run("generate", "--model", TARGET, "--prompt", "the cat", "-n", "12", "--ignore-eos", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("plain", j.get("mode").asText());
        assertEquals(12, j.get("generated_ids").size());
        assertEquals(12, j.get("stats").get("generated_tokens").asInt());
        assertEquals("max_new_tokens", j.get("stop_reason").asText());
        assertTrue(j.get("prompt_ids").size() > 0);
    }

    @Test
    void speculativeGenerateStreamsTheSameTextAsPlain() {
        CliRun plain = run("generate", "--model", TARGET, "--prompt", "the cat", "-n", "16", "--ignore-eos");
        CliRun spec = run("generate", "--model", TARGET, "--draft", DRAFT, "--draft-dtype", "f32", "--draft-vocab", "0",
                "--prompt", "the cat", "-n", "16", "--ignore-eos", "--k", "3");
        assertEquals(0, plain.code(), plain.err());
        assertEquals(0, spec.code(), spec.err());
        assertEquals(plain.out(), spec.out());
        assertTrue(spec.err().contains("acceptance"), spec.err());
    }

    @Test
    void compareReportsIdenticalOutputsAndConsistentStatistics() throws Exception {
        CliRun r = run("compare", "--model", TARGET, "--draft", DRAFT, "--draft-dtype", "f32", "--draft-vocab", "0",
                "--prompt", "the cat sat", "-n", "20", "--k", "4", "--ignore-eos", "--warmup", "0", "--repeats", "1",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode item = JSON.readTree(r.out()).get("results").get(0);
        assertTrue(item.get("identical").asBoolean());
        assertEquals(item.get("greedy_text").asText(), item.get("speculative_text").asText());
        JsonNode s = item.get("speculative");
        assertEquals(s.get("proposed_tokens").asLong(), s.get("accepted_tokens").asLong() + s.get("rejected_tokens").asLong());
        assertEquals(20, s.get("generated_tokens").asInt());
        assertEquals(1.0, item.get("greedy").get("tokens_per_target_pass").asDouble());
    }

    @Test
    void compareWithAPromptsFilePrintsASummary(@TempDir Path dir) throws IOException {
        Path prompts = dir.resolve("prompts.txt");
        Files.writeString(prompts, "the cat\n\nthe dog ran\n");
        CliRun r = run("compare", "--model", TARGET, "--draft", DRAFT, "--prompts-file", prompts.toString(), "-n", "8",
                "--warmup", "0", "--repeats", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("summary: 2 prompts, identical 2/2"), r.out());
    }

    @Test
    void demoRunsTheComparisonAndASamplingExample() {
        CliRun r = run("demo", "--model", TARGET, "--draft", DRAFT, "-n", "10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("identical    yes"), r.out());
        assertTrue(r.out().contains("speculative sampling"), r.out());
    }

    @Test
    void scorePrintsOneLogProbabilityPerTokenAfterTheFirst(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "the cat sat on the mat");
        CliRun r = run("score", "--model", TARGET, "--text-file", text.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(j.get("tokens").asInt() - 1, j.get("token_logprobs").size());
        double meanNll = 0;
        for (JsonNode t : j.get("token_logprobs")) {
            assertTrue(t.get("logprob").asDouble() < 0);
            meanNll -= t.get("logprob").asDouble();
        }
        meanNll /= j.get("token_logprobs").size();
        assertEquals(Math.exp(meanNll), j.get("perplexity").asDouble(), 1e-6 * Math.exp(meanNll));
    }

    @Test
    void missingModelFolderIsOneLine() {
        assertOneLineError(run("generate", "--model", "/nonexistent/model", "--prompt", "x"), 2, "/nonexistent/model");
    }

    @Test
    void badFlagValuesAreUsageErrors() {
        assertOneLineError(run("generate", "--model", TARGET, "--k", "0"), 2, "--k");
        assertOneLineError(run("generate", "--model", TARGET, "--temperature", "-1"), 2, "--temperature");
        assertOneLineError(run("generate", "--model", TARGET, "--dtype", "int4"), 2, "dtype");
        assertOneLineError(run("generate", "--model", TARGET, "--no-such-flag"), 2, "--no-such-flag");
        assertOneLineError(run("generate", "--model", TARGET, "--prompt", ""), 2, "empty");
    }

    @Test
    void promptLongerThanTheContextIsOneLine() {
        String prompt = "the cat sat on the mat and ".repeat(40);
        assertOneLineError(run("generate", "--model", TARGET, "--prompt", prompt), 1, "context");
    }

    @Test
    void corruptSafetensorsIsOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("broken");
        Files.createDirectories(model);
        try (var files = Files.list(Path.of(TARGET))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        Path weights = model.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CliRun r = run("generate", "--model", model.toString(), "--prompt", "x");
        assertOneLineError(r, 1, "model.safetensors");
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void mismatchedVocabulariesAreRefused() {
        CliRun r = run("generate", "--model", TARGET, "--draft", GoldenFixtures.folder("full-vocab").toString(),
                "--prompt", "x");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().strip().startsWith("error: "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}

package dev.specdec.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code specdec bench} end to end on the tiny fixtures, through {@link Main#run}. */
class BenchCommandTest {

    static final String TINY = "src/test/resources/fixtures/tiny-3l";
    static final String TINY_BF16 = "src/test/resources/fixtures/tiny-3l-bf16";

    @TempDir
    Path dir;

    record Outcome(int exitCode, String out, String err) {
    }

    static Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void jsonIsParseableAndConsistentAndTheChartIsWritten() throws IOException {
        Path chart = dir.resolve("chart.png");
        Outcome o = run("bench", "--model", TINY, "--draft", TINY_BF16, "--prompt", "Hello there", "--prompt", "abc",
                "-n", "6", "--k-values", "1,3", "--draft-variants", "f32,lookup", "--repeats", "1", "--warmup", "0",
                "--ignore-eos", "--json", "--chart", chart.toString());
        assertEquals(0, o.exitCode(), o.err());
        JsonNode root = new ObjectMapper().readTree(o.out());
        assertTrue(root.get("identical").asBoolean());
        assertEquals(1, root.get("repeats").asInt());
        assertEquals(List.of("f32", "lookup"), root.get("variants").findValuesAsText("name"));
        JsonNode results = root.get("results");
        assertEquals(5, results.size(), "greedy + 2 variants x 2 k values");
        assertEquals("greedy", results.get(0).get("draft").asText());
        assertTrue(results.get(0).get("k").isNull());
        assertEquals(1.0, results.get(0).get("speed_up").get("median").asDouble());
        Set<String> configs = new HashSet<>();
        for (JsonNode r : results) {
            assertEquals(12, r.get("tokens").asLong(), "2 prompts x 6 tokens, EOS ignored: " + r);
            assertTrue(r.get("tokens_per_second").get("median").asDouble() > 0);
            if (!r.get("k").isNull()) {
                configs.add(r.get("draft").asText() + "/" + r.get("k").asInt());
                double alpha = r.get("acceptance_rate").isNull() ? 0 : r.get("acceptance_rate").asDouble();
                assertTrue(alpha >= 0 && alpha <= 1, r.toString());
                assertTrue(r.get("tokens_per_target_pass").asDouble() >= 1, r.toString());
            }
        }
        assertEquals(Set.of("f32/1", "f32/3", "lookup/1", "lookup/3"), configs);
        // The bf16 file loaded as f32 runs a model pass per draft; lookup runs none.
        assertTrue(results.get(1).get("draft_cost_ratio").get("median").asDouble() > 0);
        assertTrue(results.get(3).get("draft_cost_ratio").isNull());
        assertEquals(8, root.get("checked_generations").asInt(), "5 configurations x 2 prompts less 2 greedy references");
        assertEquals(2, root.get("greedy_outputs").size());
        assertEquals(6, root.get("greedy_outputs").get(0).get("tokens").size());

        BufferedImage image = ImageIO.read(chart.toFile());
        assertNotNull(image);
        assertEquals(900, image.getWidth());
        assertTrue(o.err().contains("bench: repeat 1/1  n=6  lookup k=3"), o.err());
    }

    @Test
    void tablePrintsOneRowPerConfigurationAndSaysOutputsMatched() {
        Outcome o = run("bench", "--model", TINY, "--draft", TINY_BF16, "--prompt", "Hello", "-n", "4",
                "--k-values", "2", "--draft-variants", "f32", "--repeats", "1", "--warmup", "0", "--no-chart");
        assertEquals(0, o.exitCode(), o.err());
        List<String> lines = o.out().lines().toList();
        assertTrue(lines.get(0).startsWith("draft "), o.out());
        assertTrue(lines.get(1).startsWith("greedy "), o.out());
        assertTrue(lines.get(2).startsWith("f32 "), o.out());
        assertTrue(o.out().contains("identical: all 1 speculative"), o.out());
        assertFalse(o.out().contains("chart:"), o.out());
    }

    @Test
    void unknownVariantIsAUsageError() {
        Outcome o = run("bench", "--model", TINY, "--draft", TINY_BF16, "--draft-variants", "f32,warp", "--no-chart");
        assertEquals(2, o.exitCode());
        assertEquals("error: unknown draft variant 'warp'; choose from f32, bf16, f16, q8_0, pruned, lookup, "
                + "combined, self-int8", o.err().strip());
    }
}

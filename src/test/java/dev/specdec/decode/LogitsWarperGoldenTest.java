package dev.specdec.decode;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.specdec.model.GoldenFixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LogitsWarper against transformers' TemperatureLogitsWarper, TopKLogitsWarper and TopPLogitsWarper
 * (tools/reference/make_warper_golden.py), ties at the top-k and top-p boundaries included.
 */
class LogitsWarperGoldenTest {

    private static final double TOLERANCE = 1e-6;

    record Case(String name, double temperature, int topK, double topP, float[] logits, double[] probabilities) {
    }

    record Golden(List<Case> cases) {
    }

    private static Golden golden() throws IOException {
        ObjectMapper json = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        return json.readValue(GoldenFixtures.folder("warper-golden.json").toFile(), Golden.class);
    }

    @Test
    void probabilitiesMatchTransformers() throws IOException {
        List<Case> cases = golden().cases();
        assertTrue(cases.size() >= 50, "golden has only " + cases.size() + " cases");
        for (Case c : cases) {
            String name = c.name() + " T=" + c.temperature() + " top-k=" + c.topK() + " top-p=" + c.topP();
            int n = c.logits().length;
            float[] probs = new float[n];
            new LogitsWarper(c.temperature(), c.topK(), c.topP()).probabilities(c.logits(), n, probs);
            for (int i = 0; i < n; i++) {
                // Within tolerance is not enough for a filtered token: it must be impossible.
                assertEquals(c.probabilities()[i] == 0, probs[i] == 0, name + ": token " + i + " kept/filtered");
                assertEquals(c.probabilities()[i], probs[i], TOLERANCE, name + ": token " + i);
            }
        }
    }

    @Test
    void theWarperLeavesTheLogitsAlone() throws IOException {
        Case c = golden().cases().stream().filter(x -> x.topK() > 0 && x.topP() < 1).findFirst().orElseThrow();
        float[] logits = c.logits().clone();
        new LogitsWarper(c.temperature(), c.topK(), c.topP()).probabilities(logits, logits.length, new float[logits.length]);
        assertEquals(Arrays.toString(c.logits()), Arrays.toString(logits));
    }
}

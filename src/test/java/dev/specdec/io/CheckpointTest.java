package dev.specdec.io;

import dev.specdec.SpecdecException;
import dev.specdec.model.Gpt2Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    static final String TINY_CONFIG = """
            {"model_type": "gpt2", "activation_function": "gelu_new", "n_embd": 4, "n_layer": 1, "n_head": 2,
             "n_positions": 8, "vocab_size": 5, "layer_norm_epsilon": 1e-5, "eos_token_id": 4, "n_inner": null}
            """;

    @TempDir
    Path dir;

    @Test
    void opensSingleFileWithoutPrefix() throws IOException {
        writeConfig();
        new SafetensorsWriter()
                .addF32("wte.weight", new long[] {5, 4}, new float[20])
                .addF32("ln_f.bias", new long[] {4}, 1f, 2f, 3f, 4f)
                .add("h.0.attn.bias", "BOOL", new long[] {1}, new byte[1])
                .write(dir.resolve("model.safetensors"));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertEquals(dir, checkpoint.directory());
            assertEquals(new Gpt2Config(5, 8, 4, 1, 2, 16, 1e-5f, 4), checkpoint.config());
            assertEquals(List.of("wte.weight", "ln_f.bias"), checkpoint.tensorNames());
            assertTrue(checkpoint.has("ln_f.bias"));
            assertFalse(checkpoint.has("lm_head.weight"));
            assertFalse(checkpoint.has("h.0.attn.bias"));
            Tensor bias = checkpoint.tensor("ln_f.bias").requireShape(4);
            assertEquals("ln_f.bias", bias.name());
            assertEquals(dir.resolve("model.safetensors"), bias.file());
            assertEquals(3f, bias.getFloat(2));
        }
    }

    @Test
    void stripsTheTransformerPrefix() throws IOException {
        writeConfig();
        new SafetensorsWriter()
                .addF32("transformer.wte.weight", new long[] {1}, 3f)
                .addF32("transformer.h.0.mlp.c_fc.bias", new long[] {1}, 5f)
                .addF32("lm_head.weight", new long[] {1}, 7f)
                .write(dir.resolve("model.safetensors"));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertEquals(List.of("wte.weight", "h.0.mlp.c_fc.bias", "lm_head.weight"), checkpoint.tensorNames());
            assertEquals(5f, checkpoint.tensor("h.0.mlp.c_fc.bias").getFloat(0));
            assertEquals(7f, checkpoint.tensor("lm_head.weight").getFloat(0));
            assertFalse(checkpoint.has("transformer.wte.weight"));
        }
    }

    @Test
    void refusesATensorStoredWithAndWithoutPrefix() throws IOException {
        writeConfig();
        new SafetensorsWriter()
                .addF32("transformer.wte.weight", new long[] {1}, 3f)
                .addF32("wte.weight", new long[] {1}, 3f)
                .write(dir.resolve("model.safetensors"));
        assertMessage("model folder " + dir + " holds tensor wte.weight twice (transformer.wte.weight in"
                + " model.safetensors and wte.weight in model.safetensors); remove the duplicate");
    }

    @Test
    void missingTensorNamesFolderAndTensor() throws IOException {
        writeConfig();
        new SafetensorsWriter().addF32("wte.weight", new long[] {1}, 3f).write(dir.resolve("model.safetensors"));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            SpecdecException e = assertThrows(SpecdecException.class, () -> checkpoint.tensor("wpe.weight"));
            assertEquals("model folder " + dir + " has no tensor wpe.weight (nor transformer.wpe.weight);"
                    + " the checkpoint is incomplete or not a GPT-2 model", e.getMessage());
        }
    }

    @Test
    void opensShardsListedInTheIndex() throws IOException {
        writeConfig();
        new SafetensorsWriter().addF32("transformer.wte.weight", new long[] {2}, 1f, 2f)
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().addHalf("transformer.ln_f.weight", "BF16", new long[] {1}, 0x3FC0)
                .add("transformer.h.0.attn.bias", "BOOL", new long[] {1}, new byte[1])
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        writeIndex("""
                {"metadata": {"total_size": 10}, "weight_map": {
                  "transformer.wte.weight": "model-00001-of-00002.safetensors",
                  "transformer.ln_f.weight": "model-00002-of-00002.safetensors",
                  "transformer.h.0.attn.bias": "model-00002-of-00002.safetensors"}}
                """);
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertEquals(List.of("wte.weight", "ln_f.weight"), checkpoint.tensorNames());
            assertEquals(2f, checkpoint.tensor("wte.weight").getFloat(1));
            Tensor norm = checkpoint.tensor("ln_f.weight");
            assertEquals(DType.BF16, norm.dtype());
            assertEquals(1.5f, norm.getFloat(0));
            assertEquals(dir.resolve("model-00002-of-00002.safetensors"), norm.file());
            assertArrayEquals(new long[] {1}, norm.shape());
        }
    }

    @Test
    void refusesIndexNamingAMissingShard() throws IOException {
        writeConfig();
        writeIndex("{\"weight_map\": {\"wte.weight\": \"model-00001-of-00002.safetensors\"}}");
        assertMessage(dir.resolve("model.safetensors.index.json") + " names shard model-00001-of-00002.safetensors,"
                + " which is missing from " + dir + "; download all shards");
    }

    @Test
    void refusesIndexThatDisagreesWithTheShards() throws IOException {
        writeConfig();
        new SafetensorsWriter().addF32("wte.weight", new long[] {1}, 1f).write(dir.resolve("a.safetensors"));
        new SafetensorsWriter().addF32("wpe.weight", new long[] {1}, 1f).write(dir.resolve("b.safetensors"));
        writeIndex("{\"weight_map\": {\"wte.weight\": \"b.safetensors\", \"wpe.weight\": \"a.safetensors\"}}");
        assertMessage(dir.resolve("model.safetensors.index.json") + " places tensor wte.weight in b.safetensors"
                + " but that shard does not hold it; the index does not match the shards");
    }

    @Test
    void refusesIndexWithoutWeightMap() throws IOException {
        writeConfig();
        writeIndex("{\"metadata\": {}}");
        assertMessage(dir.resolve("model.safetensors.index.json") + " has no weight_map object");
    }

    @Test
    void refusesIndexPointingOutsideTheFolder() throws IOException {
        writeConfig();
        writeIndex("{\"weight_map\": {\"wte.weight\": \"../elsewhere.safetensors\"}}");
        assertMessage("names shard ../elsewhere.safetensors outside the model folder");
    }

    @Test
    void refusesMissingFolder() {
        Path missing = dir.resolve("gpt2-nope");
        SpecdecException e = assertThrows(SpecdecException.class, () -> Checkpoint.open(missing));
        assertEquals("model folder " + missing + " does not exist", e.getMessage());
    }

    @Test
    void refusesAFileGivenAsFolder() throws IOException {
        Path file = Files.writeString(dir.resolve("model.safetensors"), "x");
        SpecdecException e = assertThrows(SpecdecException.class, () -> Checkpoint.open(file));
        assertEquals("model folder " + file + " is a file; give the folder that holds config.json and the"
                + " safetensors weights", e.getMessage());
    }

    @Test
    void closingTwiceIsHarmlessButUnmapsTheTensors() throws IOException {
        writeConfig();
        new SafetensorsWriter().addF32("wte.weight", new long[] {1}, 3f).write(dir.resolve("model.safetensors"));
        Checkpoint checkpoint = Checkpoint.open(dir);
        Tensor tensor = checkpoint.tensor("wte.weight");
        checkpoint.close();
        checkpoint.close();
        assertThrows(IllegalStateException.class, () -> tensor.getFloat(0));
    }

    @Test
    void refusesMissingConfig() throws IOException {
        new SafetensorsWriter().addF32("wte.weight", new long[] {1}, 1f).write(dir.resolve("model.safetensors"));
        assertMessage("model folder " + dir + " has no config.json");
    }

    @Test
    void refusesPickleCheckpoints() throws IOException {
        writeConfig();
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        assertMessage("model folder " + dir + " has only pytorch_model.bin, a pickle that can run code when loaded;"
                + " specdec loads only safetensors: convert it with transformers'"
                + " save_pretrained(dir, safe_serialization=True)");
    }

    @Test
    void refusesFolderWithoutWeights() throws IOException {
        writeConfig();
        assertMessage("model folder " + dir + " has no model.safetensors or model.safetensors.index.json");
    }

    @Test
    void reportsTheBadShardOfAShardedCheckpoint() throws IOException {
        writeConfig();
        new SafetensorsWriter().addF32("wte.weight", new long[] {1}, 1f).write(dir.resolve("a.safetensors"));
        new SafetensorsWriter().add("wpe.weight", "I64", new long[] {1}, new byte[8]).write(dir.resolve("b.safetensors"));
        writeIndex("{\"weight_map\": {\"wte.weight\": \"a.safetensors\", \"wpe.weight\": \"b.safetensors\"}}");
        assertMessage(dir.resolve("b.safetensors") + ": tensor wpe.weight has dtype I64");
    }

    private void writeConfig() throws IOException {
        Files.writeString(dir.resolve("config.json"), TINY_CONFIG);
    }

    private void writeIndex(String json) throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"), json);
    }

    private void assertMessage(String expectedPart) {
        SpecdecException e = assertThrows(SpecdecException.class, () -> Checkpoint.open(dir).close());
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }
}

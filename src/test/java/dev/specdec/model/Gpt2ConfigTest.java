package dev.specdec.model;

import dev.specdec.SpecdecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gpt2ConfigTest {
    /** config.json of the Hugging Face "gpt2" checkpoint. */
    private static final String GPT2 = """
            {
              "activation_function": "gelu_new",
              "architectures": ["GPT2LMHeadModel"],
              "attn_pdrop": 0.1,
              "bos_token_id": 50256,
              "embd_pdrop": 0.1,
              "eos_token_id": 50256,
              "initializer_range": 0.02,
              "layer_norm_epsilon": 1e-05,
              "model_type": "gpt2",
              "n_ctx": 1024,
              "n_embd": 768,
              "n_head": 12,
              "n_layer": 12,
              "n_positions": 1024,
              "resid_pdrop": 0.1,
              "summary_activation": null,
              "summary_first_dropout": 0.1,
              "summary_proj_to_labels": true,
              "summary_type": "cls_index",
              "summary_use_proj": true,
              "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
              "vocab_size": 50257
            }
            """;

    @TempDir
    Path dir;

    @Test
    void readsTheGpt2Config() throws IOException {
        assertEquals(new Gpt2Config(50257, 1024, 768, 12, 12, 3072, 1e-5f, 50256), Gpt2Config.read(write(GPT2)));
    }

    @Test
    void appliesDefaultsAndFallbacks() throws IOException {
        Path file = write("""
                {"n_embd": 64, "n_layer": 2, "n_head": 4, "n_ctx": 128, "vocab_size": 100, "n_inner": null}
                """);
        assertEquals(new Gpt2Config(100, 128, 64, 2, 4, 256, 1e-5f, -1), Gpt2Config.read(file));
    }

    @Test
    void readsExplicitInnerSizeEpsilonAndTheTanhGeluAlias() throws IOException {
        Path file = write("""
                {"model_type": "gpt2", "activation_function": "gelu_pytorch_tanh", "n_embd": 64, "n_layer": 2,
                 "n_head": 4, "n_positions": 256, "n_ctx": 128, "vocab_size": 100, "n_inner": 96,
                 "layer_norm_epsilon": 1e-6, "eos_token_id": 99, "scale_attn_weights": true,
                 "reorder_and_upcast_attn": false, "scale_attn_by_inverse_layer_idx": false}
                """);
        assertEquals(new Gpt2Config(100, 256, 64, 2, 4, 96, 1e-6f, 99), Gpt2Config.read(file));
    }

    @Test
    void refusesOptionsTheEngineDoesNotImplement() throws IOException {
        assertRefused(GPT2.replace("\"gelu_new\"", "\"relu\""),
                "activation_function is \"relu\"; specdec implements only gelu_new");
        assertRefused(GPT2.replace("\"n_ctx\"", "\"scale_attn_by_inverse_layer_idx\": true, \"n_ctx\""),
                "scale_attn_by_inverse_layer_idx is true, an option specdec does not implement");
        assertRefused(GPT2.replace("\"n_ctx\"", "\"reorder_and_upcast_attn\": true, \"n_ctx\""),
                "reorder_and_upcast_attn is true, an option specdec does not implement");
        assertRefused(GPT2.replace("\"n_ctx\"", "\"add_cross_attention\": true, \"n_ctx\""),
                "add_cross_attention is true, an option specdec does not implement");
        assertRefused(GPT2.replace("\"n_ctx\"", "\"scale_attn_weights\": false, \"n_ctx\""),
                "scale_attn_weights is false, an option specdec does not implement");
        assertRefused(GPT2.replace("\"model_type\": \"gpt2\"", "\"model_type\": \"llama\""),
                "model_type is \"llama\" but specdec runs only GPT-2 models");
        assertRefused(GPT2.replace("\"n_head\": 12", "\"n_head\": 7"), "n_embd 768 is not divisible by n_head 7");
    }

    @Test
    void refusesMissingOrInvalidValues() throws IOException {
        assertRefused(GPT2.replace("\"n_layer\": 12,", ""), " has no n_layer; it is not a complete GPT-2 config.json");
        assertRefused(GPT2.replace("\"n_ctx\": 1024,", "").replace("\"n_positions\": 1024,", ""), " has no n_ctx");
        assertRefused(GPT2.replace("\"n_embd\": 768", "\"n_embd\": -768"), "n_embd must be a positive integer, not -768");
        assertRefused(GPT2.replace("\"n_embd\": 768", "\"n_embd\": \"768\""), "n_embd must be a positive integer");
        assertRefused(GPT2.replace("1e-05", "0"), "layer_norm_epsilon must be a positive number, not 0");
        assertRefused(GPT2.replace("\"eos_token_id\": 50256", "\"eos_token_id\": 50257"),
                "eos_token_id must be a token id below vocab_size 50257, not 50257");
        assertRefused(GPT2.replace("\"n_ctx\"", "\"add_cross_attention\": 1, \"n_ctx\""),
                "add_cross_attention must be true or false, not 1");
    }

    @Test
    void refusesFilesThatAreNotConfigs() throws IOException {
        assertRefused("{\"n_embd\": ", "is not valid JSON");
        assertRefused("[1]", "is not a JSON object");
        Path missing = dir.resolve("nowhere.json");
        SpecdecException e = assertThrows(SpecdecException.class, () -> Gpt2Config.read(missing));
        assertEquals(missing + " does not exist; a model folder needs its config.json", e.getMessage());
    }

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }

    private void assertRefused(String json, String expectedPart) throws IOException {
        Path file = write(json);
        SpecdecException e = assertThrows(SpecdecException.class, () -> Gpt2Config.read(file), expectedPart);
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }
}

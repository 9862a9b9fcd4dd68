package dev.specdec.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specdec.SpecdecException;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The hyper-parameters of a GPT-2 checkpoint, as read from its {@code config.json}.
 *
 * @param vocabSize      number of token ids ({@code vocab_size})
 * @param contextLength  maximum sequence length ({@code n_positions})
 * @param embeddingSize  width of the residual stream ({@code n_embd})
 * @param layers         number of transformer blocks ({@code n_layer})
 * @param heads          attention heads per block ({@code n_head})
 * @param innerSize      width of the MLP ({@code n_inner}, 4 x n_embd when null)
 * @param layerNormEpsilon epsilon of every layer norm ({@code layer_norm_epsilon})
 * @param eosTokenId     end-of-text token id ({@code eos_token_id}), -1 when absent
 */
public record Gpt2Config(int vocabSize, int contextLength, int embeddingSize, int layers, int heads,
                         int innerSize, float layerNormEpsilon, int eosTokenId) {

    /** Both names denote the tanh approximation of GELU that GPT-2 uses. */
    private static final Set<String> SUPPORTED_ACTIVATIONS = Set.of("gelu_new", "gelu_pytorch_tanh");

    /** Width of one attention head. */
    public int headSize() {
        return embeddingSize / heads;
    }

    /**
     * Reads and validates a Hugging Face GPT-2 {@code config.json}. Keys that do not change the computation
     * are ignored; options the engine does not implement are refused.
     *
     * @throws SpecdecException naming the file and the key when the file is missing, malformed or unsupported
     */
    public static Gpt2Config read(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(configJson.toFile());
        } catch (NoSuchFileException | FileNotFoundException missing) {
            throw new SpecdecException(configJson + " does not exist; a model folder needs its config.json");
        } catch (IOException e) {
            throw new SpecdecException(configJson + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SpecdecException(configJson + " is not a JSON object; it is not a Hugging Face config.json");
        }
        ConfigReader reader = new ConfigReader(configJson, root);
        reader.requireText("model_type", "gpt2", "specdec runs only GPT-2 models");
        String activation = reader.text("activation_function", "gelu_new");
        if (!SUPPORTED_ACTIVATIONS.contains(activation)) {
            throw reader.unsupported("activation_function is \"" + activation
                    + "\"; specdec implements only gelu_new (GPT-2's tanh GELU)");
        }
        reader.requireFlag("scale_attn_by_inverse_layer_idx", false);
        reader.requireFlag("reorder_and_upcast_attn", false);
        reader.requireFlag("add_cross_attention", false);
        reader.requireFlag("scale_attn_weights", true);

        int embeddingSize = reader.positiveInt("n_embd");
        int layers = reader.positiveInt("n_layer");
        int heads = reader.positiveInt("n_head");
        int contextLength = root.hasNonNull("n_positions") ? reader.positiveInt("n_positions")
                : reader.positiveInt("n_ctx");
        int vocabSize = reader.positiveInt("vocab_size");
        if (embeddingSize % heads != 0) {
            throw reader.unsupported("n_embd " + embeddingSize + " is not divisible by n_head " + heads);
        }
        int innerSize = root.hasNonNull("n_inner") ? reader.positiveInt("n_inner")
                : Math.multiplyExact(4, embeddingSize);
        float epsilon = root.hasNonNull("layer_norm_epsilon") ? reader.positiveFloat("layer_norm_epsilon") : 1e-5f;
        int eosTokenId = root.hasNonNull("eos_token_id") ? reader.tokenId("eos_token_id", vocabSize) : -1;
        return new Gpt2Config(vocabSize, contextLength, embeddingSize, layers, heads, innerSize, epsilon, eosTokenId);
    }

    /** Typed access to config.json keys with one-line errors that name the file and the key. */
    private record ConfigReader(Path file, JsonNode root) {

        SpecdecException unsupported(String problem) {
            return new SpecdecException(file + ": " + problem + "; this checkpoint is not supported");
        }

        String text(String key, String fallback) {
            JsonNode node = root.get(key);
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isTextual()) {
                throw new SpecdecException(file + ": " + key + " must be a string, not " + node);
            }
            return node.asText();
        }

        void requireText(String key, String expected, String why) {
            String value = text(key, expected);
            if (!value.equals(expected)) {
                throw unsupported(key + " is \"" + value + "\" but " + why + " (" + key + " \"" + expected + "\")");
            }
        }

        void requireFlag(String key, boolean supported) {
            JsonNode node = root.get(key);
            if (node == null || node.isNull()) {
                return;
            }
            if (!node.isBoolean()) {
                throw new SpecdecException(file + ": " + key + " must be true or false, not " + node);
            }
            if (node.booleanValue() != supported) {
                throw unsupported(key + " is " + node.booleanValue() + ", an option specdec does not implement");
            }
        }

        int positiveInt(String key) {
            JsonNode node = root.get(key);
            if (node == null || node.isNull()) {
                throw new SpecdecException(file + " has no " + key + "; it is not a complete GPT-2 config.json");
            }
            if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() <= 0) {
                throw new SpecdecException(file + ": " + key + " must be a positive integer, not " + node);
            }
            return node.intValue();
        }

        float positiveFloat(String key) {
            JsonNode node = root.get(key);
            if (!node.isNumber() || !(node.doubleValue() > 0) || !Float.isFinite((float) node.doubleValue())) {
                throw new SpecdecException(file + ": " + key + " must be a positive number, not " + node);
            }
            return (float) node.doubleValue();
        }

        int tokenId(String key, int vocabSize) {
            JsonNode node = root.get(key);
            if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0
                    || node.intValue() >= vocabSize) {
                throw new SpecdecException(file + ": " + key + " must be a token id below vocab_size "
                        + vocabSize + ", not " + node);
            }
            return node.intValue();
        }
    }
}

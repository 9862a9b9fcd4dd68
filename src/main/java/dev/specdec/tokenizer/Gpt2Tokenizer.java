package dev.specdec.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specdec.SpecdecException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's byte-level BPE tokenizer, read from a model folder's {@code tokenizer.json} and run by the
 * Hugging Face tokenizers library (through DJL). Encoding adds no special tokens and never truncates;
 * decoding does not "clean up" spaces, so {@code decode(encode(text))} returns {@code text}.
 */
public final class Gpt2Tokenizer implements AutoCloseable {
    static final String TOKENIZER_JSON = "tokenizer.json";

    static {
        DjlOffline.enable();
    }

    private final HuggingFaceTokenizer tokenizer;
    private final List<String> vocabulary;

    private Gpt2Tokenizer(HuggingFaceTokenizer tokenizer, List<String> vocabulary) {
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
    }

    /**
     * Loads the tokenizer of the model folder {@code modelDir}.
     *
     * @throws SpecdecException when the folder has no usable tokenizer.json
     */
    public static Gpt2Tokenizer load(Path modelDir) {
        Path file = modelDir.resolve(TOKENIZER_JSON);
        if (!Files.isRegularFile(file)) {
            throw missingTokenizer(modelDir);
        }
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SpecdecException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<String> vocabulary = readVocabulary(file, json);
        // Loaded from a stream so that DJL does not also read tokenizer_config.json, whose
        // model_max_length and clean_up_tokenization_spaces would truncate inputs and alter decoded text.
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false",
                "withOverflowingTokens", "false");
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
            return new Gpt2Tokenizer(tokenizer, vocabulary);
        } catch (IOException | RuntimeException e) {
            throw new SpecdecException(file + " could not be loaded by the Hugging Face tokenizers library ("
                    + e.getMessage() + "); re-save it with a recent transformers", e);
        }
    }

    /** Token ids of {@code text}: no special tokens added, no truncation. */
    public int[] encode(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        long[] ids = encoding.getIds();
        int[] result = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            result[i] = Math.toIntExact(ids[i]);
        }
        return result;
    }

    /** The text of {@code ids}, special tokens included, spaces exactly as the tokens spell them. */
    public String decode(int[] ids) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            wide[i] = checkId(ids[i]);
        }
        return tokenizer.decode(wide, false);
    }

    /** Number of token ids, added tokens included. */
    public int vocabSize() {
        return vocabulary.size();
    }

    /** The raw vocabulary string of {@code id}, in byte-level form (a leading space is {@code Ġ}). */
    public String token(int id) {
        return vocabulary.get(checkId(id));
    }

    /** All token strings, indexed by id. */
    public List<String> vocabulary() {
        return vocabulary;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private int checkId(int id) {
        if (id < 0 || id >= vocabulary.size()) {
            throw new SpecdecException("token id " + id + " is outside the tokenizer's vocabulary of "
                    + vocabulary.size() + " tokens; the model and tokenizer do not match");
        }
        return id;
    }

    private static SpecdecException missingTokenizer(Path modelDir) {
        if (Files.isRegularFile(modelDir.resolve("vocab.json")) && Files.isRegularFile(modelDir.resolve("merges.txt"))) {
            return new SpecdecException("model folder " + modelDir + " has vocab.json and merges.txt but no "
                    + TOKENIZER_JSON + ", which specdec needs; create it with python -c \"from transformers import"
                    + " AutoTokenizer as T; T.from_pretrained('" + modelDir + "').save_pretrained('" + modelDir + "')\"");
        }
        return new SpecdecException("model folder " + modelDir + " has no tokenizer (" + TOKENIZER_JSON
                + "); download the checkpoint's tokenizer.json into it");
    }

    /** Token strings by id, from the BPE vocabulary plus the added tokens. */
    private static List<String> readVocabulary(Path file, byte[] json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new SpecdecException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode vocab = root == null ? null : root.path("model").get("vocab");
        if (vocab == null || !vocab.isObject()) {
            throw new SpecdecException(file + " has no model.vocab object; it is not a BPE tokenizer like GPT-2's");
        }
        int size = vocab.size();
        for (JsonNode added : root.path("added_tokens")) {
            size = Math.max(size, added.path("id").asInt(-1) + 1);
        }
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            size = Math.max(size, entry.getValue().asInt(-1) + 1);
        }
        String[] tokens = new String[size];
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            place(file, tokens, entry.getValue(), entry.getKey());
        }
        for (JsonNode added : root.path("added_tokens")) {
            place(file, tokens, added.path("id"), added.path("content").asText());
        }
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null) {
                throw new SpecdecException(file + " has no token with id " + id + " although it has ids up to "
                        + (tokens.length - 1) + "; the tokenizer is corrupt");
            }
        }
        return List.of(tokens);
    }

    private static void place(Path file, String[] tokens, JsonNode idNode, String token) {
        if (!idNode.isIntegralNumber() || idNode.asInt() < 0) {
            throw new SpecdecException(file + ": token " + token + " has id " + idNode + ", not a token id");
        }
        int id = idNode.asInt();
        if (tokens[id] != null && !tokens[id].equals(token)) {
            throw new SpecdecException(file + ": id " + id + " names two tokens, " + tokens[id] + " and " + token
                    + "; the tokenizer is corrupt");
        }
        tokens[id] = token;
    }
}

package dev.specdec.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specdec.SpecdecException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which files of a repository the engine needs: the config, the tokenizer files, and safetensors weights
 * (one file, or shards listed by an index). Pickled PyTorch weights are never taken: loading them can run code.
 */
final class ModelFiles {
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.safetensors";
    static final String WEIGHTS_INDEX = "model.safetensors.index.json";
    private static final List<String> OPTIONAL = List.of("generation_config.json", "tokenizer.json", "vocab.json",
            "merges.txt", "tokenizer_config.json", "special_tokens_map.json");
    private static final List<String> UNSAFE_WEIGHTS = List.of("pytorch_model.bin", "pytorch_model.bin.index.json");

    private ModelFiles() {
    }

    /**
     * The files to download from a repository that has {@code available}, small ones first; when the weights
     * are sharded this ends with the index, whose shards come from {@link #shards}.
     */
    static List<String> choose(RepoId repo, String revision, Set<String> available) {
        if (!available.contains(CONFIG)) {
            throw new SpecdecException("model " + repo + " (revision " + revision + ") has no config.json, so it is "
                    + "not a transformers model; check the model id");
        }
        List<String> files = new ArrayList<>();
        files.add(CONFIG);
        for (String optional : OPTIONAL) {
            if (available.contains(optional)) {
                files.add(optional);
            }
        }
        if (available.contains(WEIGHTS)) {
            files.add(WEIGHTS);
        } else if (available.contains(WEIGHTS_INDEX)) {
            files.add(WEIGHTS_INDEX);
        } else {
            throw noSafetensors(repo, revision, available);
        }
        return files;
    }

    /** The shard file names an index lists, checked to stay inside the snapshot. */
    static Set<String> shards(Path index) {
        JsonNode weightMap;
        try {
            weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new SpecdecException(index + " is not valid JSON (" + e.getMessage() + "); delete it and download "
                    + "the model again", e);
        }
        Set<String> shards = new TreeSet<>();
        weightMap.forEach(name -> shards.add(name.asText()));
        if (shards.isEmpty()) {
            throw new SpecdecException(index + " lists no weight files in weight_map; the repository is broken");
        }
        for (String shard : shards) {
            if (!isSafeRelativeName(shard) || !shard.endsWith(".safetensors")) {
                throw new SpecdecException(index + " names an unusable weight file '" + shard
                        + "'; only .safetensors files inside the repository are loaded");
            }
        }
        return shards;
    }

    /** Why a cached snapshot cannot be used as it is, or null when it has a config and all safetensors weights. */
    static String missingFrom(Path snapshot) {
        if (!Files.isRegularFile(snapshot.resolve(CONFIG))) {
            return "no config.json";
        }
        if (Files.isRegularFile(snapshot.resolve(WEIGHTS))) {
            return null;
        }
        Path index = snapshot.resolve(WEIGHTS_INDEX);
        if (Files.isRegularFile(index)) {
            for (String shard : shards(index)) {
                if (!Files.isRegularFile(snapshot.resolve(shard))) {
                    return "weight shard " + shard + " is missing";
                }
            }
            return null;
        }
        for (String unsafe : UNSAFE_WEIGHTS) {
            if (Files.exists(snapshot.resolve(unsafe))) {
                return "only " + unsafe + ", no safetensors weights";
            }
        }
        return "no model.safetensors";
    }

    static SpecdecException noSafetensors(RepoId repo, String revision, Set<String> available) {
        String found = UNSAFE_WEIGHTS.stream().filter(available::contains).findFirst()
                .map(name -> "it has only " + name).orElse("it has no weights specdec can read");
        return new SpecdecException("model " + repo + " (revision " + revision + ") has no safetensors weights ("
                + found + "); specdec never loads pickled PyTorch files because they can run code: pick a model or "
                + "revision with model.safetensors, or convert it with transformers' save_pretrained");
    }

    /** A relative name without {@code ..}, absolute parts or backslashes, so it stays inside its folder. */
    static boolean isSafeRelativeName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains(":")) {
            return false;
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}

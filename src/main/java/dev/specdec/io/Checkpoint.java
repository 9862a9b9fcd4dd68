package dev.specdec.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specdec.SpecdecException;
import dev.specdec.model.Gpt2Config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Hugging Face GPT-2 model folder: {@code config.json} plus weights in {@code model.safetensors} or in
 * shards listed by {@code model.safetensors.index.json}. Tensor names are given without the
 * {@code transformer.} prefix that some exports (e.g. distilgpt2) carry.
 */
public final class Checkpoint implements AutoCloseable {
    static final String CONFIG = "config.json";
    static final String SINGLE_FILE = "model.safetensors";
    static final String SHARD_INDEX = "model.safetensors.index.json";
    private static final String PREFIX = "transformer.";

    private record Located(SafetensorsFile file, TensorInfo info) {
    }

    private final Path directory;
    private final Gpt2Config config;
    private final List<SafetensorsFile> files;
    private final Map<String, Located> tensors;

    private Checkpoint(Path directory, Gpt2Config config, List<SafetensorsFile> files, Map<String, Located> tensors) {
        this.directory = directory;
        this.config = config;
        this.files = files;
        this.tensors = tensors;
    }

    /**
     * Opens the model folder {@code modelDir}: reads config.json and maps every safetensors file.
     *
     * @throws SpecdecException when the folder, config.json or the weights are missing or malformed
     */
    public static Checkpoint open(Path modelDir) {
        if (Files.isRegularFile(modelDir)) {
            throw new SpecdecException("model folder " + modelDir + " is a file; give the folder that holds"
                    + " config.json and the safetensors weights");
        }
        if (!Files.isDirectory(modelDir)) {
            throw new SpecdecException("model folder " + modelDir + " does not exist");
        }
        Path configFile = modelDir.resolve(CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new SpecdecException("model folder " + modelDir + " has no config.json;"
                    + " copy the checkpoint's config.json into it");
        }
        Gpt2Config config = Gpt2Config.read(configFile);
        Path single = modelDir.resolve(SINGLE_FILE);
        Path index = modelDir.resolve(SHARD_INDEX);
        JsonNode weightMap = null;
        List<Path> paths;
        if (Files.isRegularFile(single)) {
            paths = List.of(single);
        } else if (Files.isRegularFile(index)) {
            weightMap = weightMap(index);
            paths = shardsOf(modelDir, index, weightMap);
        } else {
            throw noSafetensors(modelDir);
        }
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            for (Path path : paths) {
                files.add(SafetensorsFile.open(path));
            }
            Map<String, Located> tensors = index(modelDir, files);
            if (weightMap != null) {
                requireIndexMatches(index, weightMap, tensors);
            }
            return new Checkpoint(modelDir, config, List.copyOf(files), tensors);
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** The model folder. */
    public Path directory() {
        return directory;
    }

    /** The safetensors files the tensors come from. */
    public List<Path> files() {
        return files.stream().map(SafetensorsFile::path).toList();
    }

    /** The validated hyper-parameters from config.json. */
    public Gpt2Config config() {
        return config;
    }

    /** Whether the checkpoint holds {@code name} (given without the {@code transformer.} prefix). */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** Names of all tensors, without the {@code transformer.} prefix, in file order. */
    public List<String> tensorNames() {
        return List.copyOf(tensors.keySet());
    }

    /**
     * The tensor {@code name} (without the {@code transformer.} prefix), backed by the mapped file.
     *
     * @throws SpecdecException naming the folder and the tensor when it is missing
     */
    public Tensor tensor(String name) {
        Located located = tensors.get(name);
        if (located == null) {
            throw new SpecdecException("model folder " + directory + " has no tensor " + name
                    + " (nor " + PREFIX + name + "); the checkpoint is incomplete or not a GPT-2 model");
        }
        TensorInfo info = located.info();
        return new Tensor(name, located.file().path(), info.dtype(), info.shape(), located.file().data(info));
    }

    /** Unmaps all files; tensors obtained from this checkpoint become unusable. Closing twice is harmless. */
    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    private static SpecdecException noSafetensors(Path modelDir) {
        if (Files.isRegularFile(modelDir.resolve("pytorch_model.bin"))
                || Files.isRegularFile(modelDir.resolve("pytorch_model.bin.index.json"))) {
            return new SpecdecException("model folder " + modelDir + " has only pytorch_model.bin, a pickle that can"
                    + " run code when loaded; specdec loads only safetensors: convert it with transformers'"
                    + " save_pretrained(dir, safe_serialization=True)");
        }
        return new SpecdecException("model folder " + modelDir + " has no " + SINGLE_FILE + " or " + SHARD_INDEX
                + "; download the checkpoint's safetensors weights into it");
    }

    private static List<Path> shardsOf(Path modelDir, Path index, JsonNode weightMap) {
        TreeSet<String> shardNames = new TreeSet<>();
        for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new SpecdecException(index + ": weight_map entry " + entry.getKey()
                        + " is not a file name; the index is corrupt");
            }
            shardNames.add(entry.getValue().asText());
        }
        if (shardNames.isEmpty()) {
            throw new SpecdecException(index + " lists no weights; the index is corrupt");
        }
        List<Path> shards = new ArrayList<>();
        for (String shardName : shardNames) {
            Path shard = modelDir.resolve(shardName).normalize();
            if (!shard.startsWith(modelDir.normalize())) {
                throw new SpecdecException(index + " names shard " + shardName + " outside the model folder");
            }
            if (!Files.isRegularFile(shard)) {
                throw new SpecdecException(index + " names shard " + shardName + ", which is missing from "
                        + modelDir + "; download all shards");
            }
            shards.add(shard);
        }
        return shards;
    }

    private static JsonNode weightMap(Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new SpecdecException(index + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SpecdecException(index + " has no weight_map object; the index is corrupt");
        }
        return weightMap;
    }

    private static Map<String, Located> index(Path modelDir, List<SafetensorsFile> files) {
        Map<String, Located> tensors = new LinkedHashMap<>();
        for (SafetensorsFile file : files) {
            for (TensorInfo info : file.tensors().values()) {
                String name = stripPrefix(info.name());
                Located previous = tensors.putIfAbsent(name, new Located(file, info));
                if (previous != null) {
                    throw new SpecdecException("model folder " + modelDir + " holds tensor " + name + " twice ("
                            + previous.info().name() + " in " + previous.file().path().getFileName() + " and "
                            + info.name() + " in " + file.path().getFileName() + "); remove the duplicate");
                }
            }
        }
        return tensors;
    }

    /** Every weight the index lists must be in the shard it names, so a stale index is caught early. */
    private static void requireIndexMatches(Path index, JsonNode weightMap, Map<String, Located> tensors) {
        for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
            if (SafetensorsFile.isAttentionMaskBuffer(entry.getKey())) {
                continue;
            }
            Located located = tensors.get(stripPrefix(entry.getKey()));
            String shard = entry.getValue().asText();
            if (located == null || !located.file().path().getFileName().toString().equals(shard)) {
                throw new SpecdecException(index + " places tensor " + entry.getKey() + " in " + shard
                        + " but that shard does not hold it; the index does not match the shards");
            }
        }
    }

    private static String stripPrefix(String name) {
        return name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
    }
}

package dev.specdec.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specdec.io.SafetensorsFile;
import dev.specdec.io.SafetensorsWriter;
import dev.specdec.io.TensorInfo;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Copies an f32 checkpoint folder with another n_positions: the position embedding (wpe) is cut to
 * the new length, or extended with small random rows (seeded, so the copy is the same every run).
 */
public final class ContextLengthCopy {

    private ContextLengthCopy() {
    }

    /** Writes the copy into {@code target} and returns it. */
    public static Path write(Path source, Path target, int contextLength) throws IOException {
        Files.createDirectories(target);
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(source.resolve("config.json").toFile());
        config.put("n_positions", contextLength);
        json.writeValue(target.resolve("config.json").toFile(), config);
        SafetensorsWriter writer = new SafetensorsWriter();
        Random random = new Random(9);
        try (SafetensorsFile weights = SafetensorsFile.open(source.resolve("model.safetensors"))) {
            for (TensorInfo tensor : weights.tensors().values()) {
                byte[] bytes = weights.data(tensor).toArray(ValueLayout.JAVA_BYTE);
                long[] shape = tensor.shape();
                if (tensor.name().endsWith("wpe.weight")) {
                    ByteBuffer resized = ByteBuffer.allocate(Math.toIntExact(contextLength * shape[1] * Float.BYTES))
                            .order(ByteOrder.LITTLE_ENDIAN);
                    resized.put(bytes, 0, Math.min(bytes.length, resized.capacity()));
                    while (resized.hasRemaining()) {
                        resized.putFloat((float) random.nextGaussian() * 0.02f);
                    }
                    shape = new long[] {contextLength, shape[1]};
                    bytes = resized.array();
                }
                writer.add(tensor.name(), "F32", shape, bytes);
            }
        }
        writer.write(target.resolve("model.safetensors"));
        return target;
    }
}

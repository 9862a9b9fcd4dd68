package dev.specdec.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes small safetensors files for tests, laid out as the format specifies: an 8-byte little-endian
 * header length, the JSON header, then the tensors' bytes back to back in the order they were added.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode header = JSON.createObjectNode();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    /** Adds a tensor whose bytes are given raw (little-endian elements of {@code dtype}). */
    public SafetensorsWriter add(String name, String dtype, long[] shape, byte[] bytes) {
        ObjectNode entry = header.putObject(name);
        entry.put("dtype", dtype);
        var shapeNode = entry.putArray("shape");
        for (long dimension : shape) {
            shapeNode.add(dimension);
        }
        entry.putArray("data_offsets").add(data.size()).add(data.size() + bytes.length);
        data.writeBytes(bytes);
        return this;
    }

    /** Adds an F32 tensor. */
    public SafetensorsWriter addF32(String name, long[] shape, float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return add(name, "F32", shape, buffer.array());
    }

    /** Adds an F16 or BF16 tensor from raw 16-bit patterns. */
    public SafetensorsWriter addHalf(String name, String dtype, long[] shape, int... bitPatterns) {
        ByteBuffer buffer = ByteBuffer.allocate(bitPatterns.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int bits : bitPatterns) {
            buffer.putShort((short) bits);
        }
        return add(name, dtype, shape, buffer.array());
    }

    /** Adds {@code __metadata__} as transformers writes it. */
    public SafetensorsWriter metadata(String key, String value) {
        header.putObject("__metadata__").put(key, value);
        return this;
    }

    /** Writes the file and returns its path. */
    public Path write(Path file) {
        try {
            return writeRaw(file, JSON.writeValueAsString(header), data.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file with an arbitrary header text, for malformed-header tests. */
    public static Path writeRaw(Path file, String headerJson, byte[] data) {
        byte[] headerBytes = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + headerBytes.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(headerBytes.length).put(headerBytes).put(data);
        try {
            return Files.write(file, buffer.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

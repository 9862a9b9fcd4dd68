package dev.specdec.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specdec.SpecdecException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file whose header has been validated.
 * Tensor data is never copied onto the heap: {@link #data(TensorInfo)} returns slices of the mapping,
 * valid until {@link #close()}.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The safetensors reference implementation refuses headers above this size. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final int LENGTH_PREFIX_BYTES = 8;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path path;
    private final Arena arena;
    private final MemorySegment dataSection;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsFile(Path path, Arena arena, MemorySegment dataSection, Map<String, TensorInfo> tensors) {
        this.path = path;
        this.arena = arena;
        this.dataSection = dataSection;
        this.tensors = tensors;
    }

    /**
     * Maps {@code file} and validates its header.
     *
     * @throws SpecdecException naming the file (and the tensor) when the file is missing or malformed
     */
    public static SafetensorsFile open(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < LENGTH_PREFIX_BYTES) {
                throw fail(file, "is " + size + " bytes long, too short for a safetensors file"
                        + " (truncated or empty); download it again");
            }
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = mapped.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLength < 0 || headerLength > size - LENGTH_PREFIX_BYTES) {
                throw fail(file, "declares a " + Long.toUnsignedString(headerLength) + "-byte header but has only "
                        + (size - LENGTH_PREFIX_BYTES) + " bytes after the length prefix;"
                        + " the file is truncated or not a safetensors file");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw fail(file, "declares a " + headerLength + "-byte header, over the " + MAX_HEADER_BYTES
                        + "-byte limit of the safetensors format; the file is not a valid safetensors file");
            }
            byte[] header = mapped.asSlice(LENGTH_PREFIX_BYTES, headerLength).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment dataSection = mapped.asSlice(LENGTH_PREFIX_BYTES + headerLength).asReadOnly();
            Map<String, TensorInfo> tensors = parseHeader(file, header, dataSection.byteSize());
            return new SafetensorsFile(file, arena, dataSection, tensors);
        } catch (NoSuchFileException missing) {
            arena.close();
            throw new SpecdecException(file + " does not exist");
        } catch (IOException e) {
            arena.close();
            throw new SpecdecException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /**
     * The tensors of the file in header order, without {@code __metadata__} and without GPT-2's
     * attention-mask buffers ({@code *.attn.bias}, {@code *.attn.masked_bias}), which are not weights.
     */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The bytes of {@code tensor}: a read-only slice of the mapped data section. */
    public MemorySegment data(TensorInfo tensor) {
        if (!tensor.equals(tensors.get(tensor.name()))) {
            throw new IllegalArgumentException(tensor.name() + " is not a tensor of " + path);
        }
        return dataSection.asSlice(tensor.begin(), tensor.byteCount());
    }

    /** Unmaps the file; segments returned by {@link #data(TensorInfo)} become unusable. Closing twice is harmless. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /** True for GPT-2's causal-mask buffers, which some exports store next to the weights. */
    static boolean isAttentionMaskBuffer(String name) {
        return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias");
    }

    private static Map<String, TensorInfo> parseHeader(Path file, byte[] header, long dataBytes) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw fail(file, "has a header that is not valid JSON (" + e.getOriginalMessage()
                    + "); the file is corrupt or not a safetensors file");
        } catch (IOException e) {
            throw fail(file, "has an unreadable header: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw fail(file, "has a header that is not a JSON object; the file is not a safetensors file");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String name = entry.getKey();
            if (name.equals("__metadata__") || isAttentionMaskBuffer(name)) {
                continue;
            }
            tensors.put(name, parseEntry(file, name, entry.getValue(), dataBytes));
        }
        requireDisjoint(file, tensors.values());
        return Collections.unmodifiableMap(tensors);
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode entry, long dataBytes) {
        if (!entry.isObject()) {
            throw failTensor(file, name, "has a header entry that is not a JSON object");
        }
        JsonNode dtypeNode = entry.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw failTensor(file, name, "has no dtype string");
        }
        DType dtype = DType.fromHeaderName(dtypeNode.asText());
        if (dtype == null) {
            throw failTensor(file, name, "has dtype " + dtypeNode.asText()
                    + ", which specdec does not load (only F32, F16 and BF16);"
                    + " convert the checkpoint to float32, float16 or bfloat16");
        }
        long[] shape = parseShape(file, name, entry.get("shape"));
        JsonNode offsets = entry.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !isNonNegativeLong(offsets.get(0)) || !isNonNegativeLong(offsets.get(1))) {
            throw failTensor(file, name, "has no valid data_offsets (expected [begin, end] with two"
                    + " non-negative integers)");
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (end < begin) {
            throw failTensor(file, name, "has data_offsets [" + begin + ", " + end + "] that end before they begin");
        }
        if (end > dataBytes) {
            throw failTensor(file, name, "has data_offsets [" + begin + ", " + end + "] past the end of the "
                    + dataBytes + "-byte data section; the file is truncated");
        }
        long elements = Shapes.elementCount(shape);
        if (elements < 0 || elements > Long.MAX_VALUE / dtype.byteSize()) {
            throw failTensor(file, name, "has shape " + Shapes.format(shape) + ", too large to address");
        }
        long expectedBytes = elements * dtype.byteSize();
        if (end - begin != expectedBytes) {
            throw failTensor(file, name, "has " + (end - begin) + " bytes but shape " + Shapes.format(shape)
                    + " of " + dtype + " needs " + expectedBytes);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] parseShape(Path file, String name, JsonNode shapeNode) {
        if (shapeNode == null || !shapeNode.isArray()) {
            throw failTensor(file, name, "has no shape array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!isNonNegativeLong(shapeNode.get(i))) {
                throw failTensor(file, name, "has shape " + shapeNode + " with a dimension that is not a"
                        + " non-negative integer");
            }
            shape[i] = shapeNode.get(i).longValue();
        }
        return shape;
    }

    private static boolean isNonNegativeLong(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0;
    }

    private static void requireDisjoint(Path file, Iterable<TensorInfo> tensors) {
        List<TensorInfo> byStart = new ArrayList<>();
        tensors.forEach(byStart::add);
        byStart.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo previous = null;
        for (TensorInfo tensor : byStart) {
            if (tensor.byteCount() == 0) {
                continue;
            }
            if (previous != null && tensor.begin() < previous.end()) {
                throw failTensor(file, tensor.name(), "has data_offsets [" + tensor.begin() + ", " + tensor.end()
                        + "] overlapping tensor " + previous.name() + " [" + previous.begin() + ", "
                        + previous.end() + "]; the file is corrupt");
            }
            previous = tensor;
        }
    }

    private static SpecdecException fail(Path file, String problem) {
        return new SpecdecException(file + " " + problem);
    }

    private static SpecdecException failTensor(Path file, String tensor, String problem) {
        return new SpecdecException(file + ": tensor " + tensor + " " + problem);
    }
}

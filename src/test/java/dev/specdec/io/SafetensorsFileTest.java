package dev.specdec.io;

import dev.specdec.SpecdecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    @Test
    void readsF32TensorsInHeaderOrderWithoutMetadata() {
        Path file = new SafetensorsWriter()
                .metadata("format", "pt")
                .addF32("b", new long[] {2, 2}, 1.5f, -2.25f, 0f, 3e-3f)
                .addF32("a", new long[] {3}, 7f, 8f, 9f)
                .write(dir.resolve("m.safetensors"));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("b", "a"), List.copyOf(st.tensors().keySet()));
            TensorInfo b = st.tensors().get("b");
            assertEquals(DType.F32, b.dtype());
            assertArrayEquals(new long[] {2, 2}, b.shape());
            assertEquals(4, b.elementCount());
            assertEquals(0, b.begin());
            assertEquals(16, b.end());
            assertEquals(16, st.data(b).byteSize());
            assertEquals(7f, st.data(st.tensors().get("a")).get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
            assertTrue(st.data(b).isReadOnly());
            assertEquals(file, st.path());
        }
    }

    @Test
    void skipsGpt2AttentionMaskBuffersOfAnyDtype() {
        Path file = new SafetensorsWriter()
                .add("h.0.attn.bias", "BOOL", new long[] {1, 1, 2, 2}, new byte[] {1, 0, 1, 1})
                .add("transformer.h.0.attn.masked_bias", "F64", new long[] {}, new byte[8])
                .addF32("h.0.attn.c_attn.bias", new long[] {1}, 2f)
                .write(dir.resolve("m.safetensors"));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("h.0.attn.c_attn.bias"), List.copyOf(st.tensors().keySet()));
        }
    }

    @Test
    void acceptsEmptyTensorsAndScalars() {
        Path file = new SafetensorsWriter()
                .add("empty", "F32", new long[] {0, 4}, new byte[0])
                .addF32("scalar", new long[] {}, 4f)
                .write(dir.resolve("m.safetensors"));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(0, st.tensors().get("empty").elementCount());
            assertEquals(1, st.tensors().get("scalar").elementCount());
        }
    }

    @Test
    void refusesMissingFile() {
        SpecdecException e = assertThrows(SpecdecException.class, () -> SafetensorsFile.open(dir.resolve("none.safetensors")));
        assertEquals(dir.resolve("none.safetensors") + " does not exist", e.getMessage());
    }

    @Test
    void refusesEmptyFile() throws IOException {
        Path file = Files.write(dir.resolve("m.safetensors"), new byte[0]);
        assertMessage(file, "m.safetensors is 0 bytes long, too short for a safetensors file");
    }

    @Test
    void refusesFileShorterThanTheLengthPrefix() throws IOException {
        Path file = Files.write(dir.resolve("m.safetensors"), new byte[] {1, 0, 0});
        assertMessage(file, "is 3 bytes long, too short");
    }

    @Test
    void refusesHeaderLengthBeyondTheFile() throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Path file = Files.write(dir.resolve("m.safetensors"), bytes.array());
        assertMessage(file, "declares a 1000-byte header but has only 12 bytes after the length prefix");
    }

    @Test
    void refusesNegativeHeaderLength() throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1);
        Path file = Files.write(dir.resolve("m.safetensors"), bytes.array());
        assertMessage(file, "declares a 18446744073709551615-byte header");
    }

    @Test
    void refusesHeaderOverTheFormatLimit() throws IOException {
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(SafetensorsFile.MAX_HEADER_BYTES + 100);
            byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(SafetensorsFile.MAX_HEADER_BYTES + 1).array();
            sparse.write(length);
        }
        assertMessage(file, "declares a 100000001-byte header, over the 100000000-byte limit");
    }

    @Test
    void refusesTruncatedDataSection() throws IOException {
        Path file = new SafetensorsWriter().addF32("w", new long[] {4}, 1, 2, 3, 4).write(dir.resolve("m.safetensors"));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
        assertMessage(file, "m.safetensors: tensor w has data_offsets [0, 16] past the end of the 13-byte data"
                + " section; the file is truncated");
    }

    @Test
    void refusesHeaderThatIsNotJson() {
        Path file = SafetensorsWriter.writeRaw(dir.resolve("m.safetensors"), "{\"w\": {\"dtype\": ", new byte[0]);
        assertMessage(file, "has a header that is not valid JSON");
    }

    @Test
    void refusesHeaderThatIsNotAnObject() {
        Path file = SafetensorsWriter.writeRaw(dir.resolve("m.safetensors"), "[1, 2]", new byte[0]);
        assertMessage(file, "has a header that is not a JSON object");
    }

    @Test
    void refusesDuplicateTensorNames() {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        Path file = SafetensorsWriter.writeRaw(dir.resolve("m.safetensors"), header, new byte[8]);
        assertMessage(file, "Duplicate field 'w'");
    }

    @Test
    void refusesUnsupportedDtypesNamingTensorAndDtype() {
        for (String dtype : List.of("I64", "F64", "U8", "BOOL", "F8_E4M3")) {
            Path file = new SafetensorsWriter().add("wte.weight", dtype, new long[] {1}, new byte[8])
                    .write(dir.resolve(dtype + ".safetensors"));
            assertMessage(file, dtype + ".safetensors: tensor wte.weight has dtype " + dtype
                    + ", which specdec does not load (only F32, F16 and BF16)");
        }
    }

    @Test
    void refusesEntryWithoutDtype() {
        String header = "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path file = SafetensorsWriter.writeRaw(dir.resolve("m.safetensors"), header, new byte[4]);
        assertMessage(file, "m.safetensors: tensor w has no dtype string");
    }

    @Test
    void refusesEntryThatIsNotAnObject() {
        Path file = SafetensorsWriter.writeRaw(dir.resolve("m.safetensors"), "{\"w\": 3}", new byte[0]);
        assertMessage(file, "m.safetensors: tensor w has a header entry that is not a JSON object");
    }

    @Test
    void refusesBadShapes() {
        String negative = "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}";
        assertMessage(SafetensorsWriter.writeRaw(dir.resolve("a.safetensors"), negative, new byte[4]),
                "tensor w has shape [-1] with a dimension that is not a non-negative integer");
        String missing = "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}";
        assertMessage(SafetensorsWriter.writeRaw(dir.resolve("b.safetensors"), missing, new byte[4]),
                "tensor w has no shape array");
        String fractional = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}";
        assertMessage(SafetensorsWriter.writeRaw(dir.resolve("c.safetensors"), fractional, new byte[4]),
                "tensor w has shape [1.5]");
        String huge = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}";
        assertMessage(SafetensorsWriter.writeRaw(dir.resolve("d.safetensors"), huge, new byte[4]),
                "tensor w has shape [4294967296, 4294967296], too large to address");
    }

    @Test
    void refusesBadDataOffsets() {
        String missing = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}";
        assertMessage(SafetensorsWriter.writeRaw(dir.resolve("a.safetensors"), missing, new byte[4]),
                "tensor w has no valid data_offsets");
        String threeValues = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}";
        assertMessage(SafetensorsWriter.writeRaw(dir.resolve("b.safetensors"), threeValues, new byte[8]),
                "tensor w has no valid data_offsets");
        String backwards = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}";
        assertMessage(SafetensorsWriter.writeRaw(dir.resolve("c.safetensors"), backwards, new byte[4]),
                "tensor w has data_offsets [4, 0] that end before they begin");
    }

    @Test
    void refusesByteCountThatDoesNotMatchTheShape() {
        Path file = new SafetensorsWriter().add("h.0.mlp.c_fc.weight", "F16", new long[] {2, 3}, new byte[10])
                .write(dir.resolve("m.safetensors"));
        assertMessage(file, "m.safetensors: tensor h.0.mlp.c_fc.weight has 10 bytes but shape [2, 3] of F16 needs 12");
    }

    @Test
    void refusesOverlappingTensors() {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        Path file = SafetensorsWriter.writeRaw(dir.resolve("m.safetensors"), header, new byte[12]);
        assertMessage(file, "m.safetensors: tensor b has data_offsets [4, 12] overlapping tensor a [0, 8]");
    }

    @Test
    void dataRefusesATensorOfAnotherFile() {
        Path file = new SafetensorsWriter().addF32("w", new long[] {1}, 1f).write(dir.resolve("m.safetensors"));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            TensorInfo foreign = new TensorInfo("w", DType.F32, new long[] {1}, 4, 8);
            assertThrows(IllegalArgumentException.class, () -> st.data(foreign));
        }
    }

    private static void assertMessage(Path file, String expectedPart) {
        SpecdecException e = assertThrows(SpecdecException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}

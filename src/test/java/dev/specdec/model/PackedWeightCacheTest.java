package dev.specdec.model;

import dev.specdec.kernel.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Saving packed matrices, mapping them back on the next load, and every way a cache file can be unusable. */
class PackedWeightCacheTest {

    private static final Path TINY = GoldenFixtures.folder("tiny-3l");
    private static final int[] TOKENS = {4, 189, 31, 257, 11, 290};
    private static final Parallel TWO = new Parallel(2);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void theSecondLoadMapsTheSavedFileAndComputesTheSameLogits(WeightFormat format) throws IOException {
        PackedWeightCache cache = PackedWeightCache.at(dir, 0);
        float[][] uncached = logits(format, PackedWeightCache.off());
        float[][] first = logits(format, cache);
        Path file = onlyFile();
        Object inode = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        FileTime written = Files.getLastModifiedTime(file);

        float[][] second = logits(format, cache);

        assertEquals(inode, Files.readAttributes(file, BasicFileAttributes.class).fileKey(), "file was rewritten");
        assertEquals(written, Files.getLastModifiedTime(file));
        for (int t = 0; t < TOKENS.length; t++) {
            assertArrayEquals(uncached[t], first[t], format + " packing, position " + t);
            assertArrayEquals(uncached[t], second[t], format + " mapped, position " + t);
        }
    }

    @Test
    void aCorruptTruncatedOrForeignFileIsIgnoredAndReplaced() throws IOException {
        PackedWeightCache cache = PackedWeightCache.at(dir, 0);
        float[][] expected = logits(WeightFormat.BF16, PackedWeightCache.off());
        logits(WeightFormat.BF16, cache);
        Path file = onlyFile();
        byte[] good = Files.readAllBytes(file);

        byte[] badMagic = good.clone();
        badMagic[0] ^= 1;
        byte[] badShape = good.clone();
        badShape[20] ^= 1; // the first matrix's input size, after magic, format and count
        byte[][] corruptions = {badMagic, badShape, java.util.Arrays.copyOf(good, good.length - 100), new byte[0]};
        for (byte[] corrupt : corruptions) {
            Files.write(file, corrupt);
            float[][] got = logits(WeightFormat.BF16, cache);
            for (int t = 0; t < TOKENS.length; t++) {
                assertArrayEquals(expected[t], got[t], "position " + t);
            }
            assertArrayEquals(good, Files.readAllBytes(file), "the unusable file was not replaced");
        }
        assertNull(PackedWeightCache.read(file, WeightFormat.F16, shapes()), "bf16 storage read as f16");
    }

    @Test
    void anUnwritableCacheFolderOnlyCostsTheSpeedUp() throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("occupied"), "a file where the folder would go");
        float[][] got = logits(WeightFormat.Q8_0, PackedWeightCache.at(notAFolder.resolve("packed"), 0));
        float[][] expected = logits(WeightFormat.Q8_0, PackedWeightCache.off());
        for (int t = 0; t < TOKENS.length; t++) {
            assertArrayEquals(expected[t], got[t]);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(notAFolder), files.toList());
        }
    }

    @Test
    void smallCheckpointsAndAnOffCacheWriteNothing() throws IOException {
        logits(WeightFormat.F32, PackedWeightCache.at(dir, PackedWeightCache.MIN_CHECKPOINT_BYTES));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
        assertNull(PackedWeightCache.off().fileFor(List.of(TINY.resolve("model.safetensors")), WeightFormat.F32, 1));
    }

    @Test
    void aChangedCheckpointFormatOrLayoutGetsAnotherFile() throws IOException {
        Path copy = Files.copy(TINY.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        PackedWeightCache cache = PackedWeightCache.at(dir.resolve("cache"), 0);
        Path before = cache.fileFor(List.of(copy), WeightFormat.F32, 1);
        assertNotNull(before);
        assertNotEquals(before, cache.fileFor(List.of(copy), WeightFormat.BF16, 1));
        assertNotEquals(before, cache.fileFor(List.of(copy), WeightFormat.F32, 4));
        Files.setLastModifiedTime(copy, FileTime.fromMillis(Files.getLastModifiedTime(copy).toMillis() + 5000));
        assertNotEquals(before, cache.fileFor(List.of(copy), WeightFormat.F32, 1));
    }

    private float[][] logits(WeightFormat format, PackedWeightCache cache) {
        try (Gpt2Model model = Gpt2Model.load(TINY, format, TWO, cache, config -> BlockLayout.WHOLE)) {
            float[][] rows = model.forward(TOKENS, model.newCache());
            float[][] copy = new float[rows.length][];
            for (int r = 0; r < rows.length; r++) {
                copy[r] = rows[r].clone();
            }
            return copy;
        }
    }

    private Path onlyFile() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), "cache folder holds " + all);
            assertTrue(all.get(0).getFileName().toString().endsWith(".bin"), all.get(0).toString());
            return all.get(0);
        }
    }

    private static int[][] shapes() {
        return Gpt2Model.matrixShapes(Gpt2Config.read(TINY.resolve("config.json")), 1);
    }
}

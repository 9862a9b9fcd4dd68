package dev.specdec.model;

import dev.specdec.kernel.PanelLayout;
import dev.specdec.kernel.Q8Matrix;
import dev.specdec.kernel.WeightMatrix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Files of weight matrices already packed in one weight format, memory-mapped by later loads of the
 * same checkpoint instead of converted again.
 *
 * <p>Converting a gpt2-sized checkpoint means writing ~0.5 GB of fresh memory, and first touching
 * fresh memory is what made loading slow (about 2 ms per MB on the development VM). A mapped file
 * costs nothing to load: its pages come from the page cache as the first forward pass reads them.
 * A file is named after a hash of the checkpoint files' paths, sizes and modification times, the
 * format and the panel layout, so a changed checkpoint or CPU gets a new file; it is written to a
 * temporary file and renamed into place, and one that does not match what the model expects is
 * ignored and replaced. Writing is best effort: a read-only or full disk only costs the speed-up.
 *
 * <p>Location: {@code -Dspecdec.packedCache} or {@code SPECDEC_PACKED_CACHE} (a folder, or
 * {@code off}), else {@code $XDG_CACHE_HOME/specdec/packed}, else {@code ~/.cache/specdec/packed}.
 * Checkpoints under {@link #MIN_CHECKPOINT_BYTES} (test fixtures) are converted every time: that is
 * fast already. The demo pair (about 40 MB each) is above it: converting both took 1.3-1.6 s in a
 * fresh JVM, where the conversion code has not been compiled yet, and mapping them 0.8-0.9 s.
 */
final class PackedWeightCache {

    /** Checkpoints smaller than this (all files together) are not cached. */
    static final long MIN_CHECKPOINT_BYTES = 16L << 20;

    private static final byte[] MAGIC = "SDPACK01".getBytes(StandardCharsets.US_ASCII);
    /** Changes whenever a format's packed layout changes, so that old files are never mapped. */
    private static final int LAYOUT_VERSION = 2;
    private static final long ALIGNMENT = 64;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Folder of the files, or null when caching is off. */
    private final Path directory;
    private final long minCheckpointBytes;

    private PackedWeightCache(Path directory, long minCheckpointBytes) {
        this.directory = directory;
        this.minCheckpointBytes = minCheckpointBytes;
    }

    /** The cache configured by the system property, the environment or the default location. */
    static PackedWeightCache fromEnvironment() {
        String configured = System.getProperty("specdec.packedCache", System.getenv("SPECDEC_PACKED_CACHE"));
        if (configured != null && !configured.isBlank()) {
            String value = configured.trim();
            return value.equalsIgnoreCase("off") ? off() : new PackedWeightCache(Path.of(value), MIN_CHECKPOINT_BYTES);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return new PackedWeightCache(base.resolve("specdec").resolve("packed"), MIN_CHECKPOINT_BYTES);
    }

    /** A cache in {@code directory} for checkpoints of at least {@code minCheckpointBytes}. */
    static PackedWeightCache at(Path directory, long minCheckpointBytes) {
        return new PackedWeightCache(directory, minCheckpointBytes);
    }

    /** No caching. */
    static PackedWeightCache off() {
        return new PackedWeightCache(null, Long.MAX_VALUE);
    }

    /**
     * The cache file for these checkpoint files in {@code format}, their blocks cut into
     * {@code shards} shards each, or null when they are not cached. Whole blocks keep the names
     * files had before blocks could be cut, so that those stay in use.
     */
    Path fileFor(List<Path> checkpointFiles, WeightFormat format, int shards) {
        if (directory == null) {
            return null;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long total = 0;
            digest.update(("v" + LAYOUT_VERSION + " " + format.cliName() + " width " + PanelLayout.WIDTH
                    + " q8block " + Q8Matrix.BLOCK + (shards == 1 ? "" : " shards " + shards)
                    + " " + ByteOrder.nativeOrder()).getBytes(StandardCharsets.UTF_8));
            for (Path file : checkpointFiles) {
                long size = Files.size(file);
                total += size;
                digest.update(("\n" + file.toRealPath() + " " + size + " "
                        + Files.getLastModifiedTime(file).toMillis()).getBytes(StandardCharsets.UTF_8));
            }
            if (total < minCheckpointBytes) {
                return null;
            }
            String key = HexFormat.of().formatHex(digest.digest(), 0, 16);
            return directory.resolve(key + "-" + format.cliName() + ".bin");
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /**
     * Maps the matrices saved in {@code file}, whose shapes must be {@code shapes[m] = {input, output}}
     * in order; null when the file is missing or does not hold exactly these matrices in this format.
     */
    static WeightMatrix[] read(Path file, WeightFormat format, int[][] shapes) {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Arena arena = Arena.ofAuto();
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            // Seen by the kernels as the same kind of segment as converted weights: when a process
            // mixed mapped and allocated segments (a mapped target, a pruned draft head), the compiled
            // kernels' type profiles saw two segment classes and a Q8_0 step ran 70% slower.
            MemorySegment data = MemorySegment.ofAddress(mapped.address())
                    .reinterpret(mapped.byteSize(), arena, null).asReadOnly();
            byte[] expected = prologue(format);
            if (data.byteSize() < expected.length + 4
                    || data.asSlice(0, expected.length).mismatch(MemorySegment.ofArray(expected)) != -1) {
                return null;
            }
            long at = expected.length;
            if (data.get(INT, at) != shapes.length) {
                return null;
            }
            at += 4;
            List<long[]> sizes = new ArrayList<>();
            for (int[] shape : shapes) {
                if (at + 12 > data.byteSize() || data.get(INT, at) != shape[0] || data.get(INT, at + 4) != shape[1]) {
                    return null;
                }
                int count = data.get(INT, at + 8);
                at += 12;
                if (count < 1 || count > 4 || at + 8L * count > data.byteSize()) {
                    return null;
                }
                long[] s = new long[count];
                for (int k = 0; k < count; k++, at += 8) {
                    s[k] = data.get(LONG, at);
                }
                sizes.add(s);
            }
            WeightMatrix[] matrices = new WeightMatrix[shapes.length];
            at = align(at);
            for (int m = 0; m < shapes.length; m++) {
                List<MemorySegment> storage = new ArrayList<>();
                for (long size : sizes.get(m)) {
                    if (size < 0 || at + size > data.byteSize()) {
                        return null;
                    }
                    storage.add(data.asSlice(at, size));
                    at = align(at + size);
                }
                matrices[m] = format.fromStorage(shapes[m][0], shapes[m][1], storage);
            }
            return at == align(data.byteSize()) ? matrices : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Saves {@code matrices}, packed in {@code format}, to {@code file} through a temporary file
     * renamed into place; on any failure leaves no file behind and returns false.
     */
    static boolean write(Path file, WeightFormat format, WeightMatrix[] matrices) {
        if (file == null) {
            return false;
        }
        Path temporary = null;
        try {
            Files.createDirectories(file.getParent());
            temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer header = header(format, matrices);
                long at = 0;
                while (header.hasRemaining()) {
                    at += channel.write(header, at);
                }
                for (WeightMatrix matrix : matrices) {
                    for (MemorySegment segment : matrix.storage()) {
                        at = align(at);
                        ByteBuffer bytes = segment.asByteBuffer();
                        while (bytes.hasRemaining()) {
                            at += channel.write(bytes, at);
                        }
                    }
                }
                channel.truncate(at);
                channel.force(false);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // Nothing more can be done; the temporary file's name marks it as such.
                }
            }
            return false;
        }
    }

    /** The magic bytes and the format's name padded to 8 bytes: what the file must start with. */
    private static byte[] prologue(WeightFormat format) {
        byte[] name = String.format("%-8s", format.cliName()).getBytes(StandardCharsets.US_ASCII);
        byte[] prologue = Arrays.copyOf(MAGIC, MAGIC.length + name.length);
        System.arraycopy(name, 0, prologue, MAGIC.length, name.length);
        return prologue;
    }

    private static ByteBuffer header(WeightFormat format, WeightMatrix[] matrices) {
        byte[] prologue = prologue(format);
        int bytes = prologue.length + 4;
        for (WeightMatrix m : matrices) {
            bytes += 12 + 8 * m.storage().size();
        }
        ByteBuffer header = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        header.put(prologue).putInt(matrices.length);
        for (WeightMatrix m : matrices) {
            header.putInt(m.inputSize()).putInt(m.outputSize()).putInt(m.storage().size());
            for (MemorySegment segment : m.storage()) {
                header.putLong(segment.byteSize());
            }
        }
        return header.flip();
    }

    private static long align(long at) {
        return (at + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }
}

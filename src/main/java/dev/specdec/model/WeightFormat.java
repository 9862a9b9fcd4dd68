package dev.specdec.model;

import dev.specdec.UsageException;
import dev.specdec.kernel.Bf16Matrix;
import dev.specdec.kernel.F16Matrix;
import dev.specdec.kernel.F32Matrix;
import dev.specdec.kernel.PanelSource;
import dev.specdec.kernel.Parallel;
import dev.specdec.kernel.Q8Matrix;
import dev.specdec.kernel.WeightMatrix;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;

/** Storage format of the weight matrices in memory, chosen at load time whatever the file holds. */
public enum WeightFormat {
    F32,
    BF16,
    F16,
    Q8_0;

    /**
     * Converts the weights W [input][output] read from {@code source} into this format, the panels
     * split across {@code parallel}'s threads.
     *
     * @throws IllegalArgumentException when a weight cannot be represented (F16 beyond +-65504)
     */
    public WeightMatrix pack(PanelSource source, int inputSize, int outputSize, Parallel parallel) {
        return switch (this) {
            case F32 -> new F32Matrix(source, inputSize, outputSize, parallel);
            case BF16 -> new Bf16Matrix(source, inputSize, outputSize, parallel);
            case F16 -> new F16Matrix(source, inputSize, outputSize, parallel);
            case Q8_0 -> new Q8Matrix(source, inputSize, outputSize, parallel);
        };
    }

    /**
     * A matrix of this format from the {@link WeightMatrix#storage()} of one packed earlier, without
     * copying: the segments may be a memory-mapped file.
     *
     * @throws IllegalArgumentException when the storage does not fit the shape
     */
    public WeightMatrix fromStorage(int inputSize, int outputSize, List<MemorySegment> storage) {
        return switch (this) {
            case F32 -> F32Matrix.fromStorage(inputSize, outputSize, storage);
            case BF16 -> Bf16Matrix.fromStorage(inputSize, outputSize, storage);
            case F16 -> F16Matrix.fromStorage(inputSize, outputSize, storage);
            case Q8_0 -> Q8Matrix.fromStorage(inputSize, outputSize, storage);
        };
    }

    /** Packs row-major [input][output] weights, using the shared thread team. */
    public WeightMatrix pack(float[] w, int inputSize, int outputSize) {
        return pack(PanelSource.rowMajor(w, inputSize, outputSize), inputSize, outputSize, Parallel.shared());
    }

    /** The name used on the command line: f32, bf16, f16, q8_0. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a command-line name (case-insensitive). */
    public static WeightFormat parse(String name) {
        for (WeightFormat f : values()) {
            if (f.cliName().equalsIgnoreCase(name.trim())) {
                return f;
            }
        }
        throw new UsageException("unknown dtype '" + name + "'; choose one of f32, bf16, f16, q8_0");
    }
}

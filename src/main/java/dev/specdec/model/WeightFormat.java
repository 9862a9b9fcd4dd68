package dev.specdec.model;

import dev.specdec.UsageException;
import dev.specdec.kernel.F32Matrix;
import dev.specdec.kernel.WeightMatrix;

import java.util.Locale;

/** Storage format of the weight matrices in memory, chosen at load time whatever the file holds. */
public enum WeightFormat {
    F32,
    BF16,
    F16,
    Q8_0;

    /** Packs row-major [input][output] weights into this format. */
    public WeightMatrix pack(float[] w, int inputSize, int outputSize) {
        return switch (this) {
            case F32 -> new F32Matrix(w, inputSize, outputSize);
            default -> throw new UsageException("weight format " + cliName() + " is not available yet; use --dtype f32");
        };
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

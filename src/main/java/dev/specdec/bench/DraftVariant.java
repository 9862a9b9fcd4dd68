package dev.specdec.bench;

import dev.specdec.decode.Drafter;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One way of drafting to benchmark: a short name for tables and charts, and a fresh drafter for
 * every generation (drafters keep per-sequence state).
 *
 * @param weightBytesPerStep bytes of weights one draft forward pass streams, 0 for drafters without a model
 */
public record DraftVariant(String name, String description, long weightBytesPerStep, Supplier<Drafter> drafters) {

    public DraftVariant {
        Objects.requireNonNull(name);
        Objects.requireNonNull(description);
        Objects.requireNonNull(drafters);
    }

    Drafter newDrafter() {
        return drafters.get();
    }
}

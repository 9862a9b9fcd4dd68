package dev.specdec.model;

import dev.specdec.kernel.PanelLayout;

/**
 * The keys and values of every position a model has seen in one sequence, plus the logits rows of
 * the latest forward pass. Speculative decoding appends draft tokens and rolls back the rejected
 * ones with {@link #truncate(int)}; positions past {@link #length()} are never read.
 */
public final class KvCache {

    final int contextLength;
    /** Positions per head in {@link #keysT}: the context rounded up to whole attention tiles. */
    final int capacity;
    /** Per layer: keys transposed, {@code [(head * headSize + d) * capacity + position]}. */
    final float[][] keysT;
    /** Per layer: values, {@code [position * width + head * headSize + d]}. */
    final float[][] values;
    private final int vocabSize;
    private float[][] logits = new float[0][];
    private int length;

    KvCache(Gpt2Config config) {
        this.contextLength = config.contextLength();
        this.capacity = capacityFor(contextLength);
        this.vocabSize = config.vocabSize();
        int width = config.embeddingSize();
        this.keysT = new float[config.layers()][width * capacity];
        this.values = new float[config.layers()][width * capacity];
    }

    /** Positions per head allocated for a context: rounded up to whole attention tiles. */
    static int capacityFor(int contextLength) {
        return (contextLength + PanelLayout.WIDTH - 1) / PanelLayout.WIDTH * PanelLayout.WIDTH;
    }

    /** Number of positions held. */
    public int length() {
        return length;
    }

    /** The most positions this cache (the model's context) can hold. */
    public int contextLength() {
        return contextLength;
    }

    /** Rolls back to the first {@code newLength} positions. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a cache of " + length + " positions to " + newLength);
        }
        length = newLength;
    }

    void setLength(int newLength) {
        length = newLength;
    }

    /** Logits rows for a forward of {@code rows} tokens, reused between calls. */
    float[][] logitsRows(int rows) {
        if (logits.length < rows) {
            float[][] grown = new float[Math.max(rows, logits.length * 2)][];
            for (int i = 0; i < grown.length; i++) {
                grown[i] = i < logits.length ? logits[i] : new float[vocabSize];
            }
            logits = grown;
        }
        return logits;
    }
}

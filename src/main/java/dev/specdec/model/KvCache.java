package dev.specdec.model;

import dev.specdec.kernel.PanelLayout;

import java.util.Arrays;

/**
 * The keys and values of every position a model has seen in one sequence, plus the logits rows of
 * the latest forward pass. Speculative decoding appends draft tokens and rolls back the rejected
 * ones with {@link #truncate(int)}; positions past {@link #length()} are never read.
 */
public final class KvCache {

    /** Positions a new cache has room for before it first grows: one attention tile. */
    private static final int INITIAL_POSITIONS = PanelLayout.WIDTH;

    final int contextLength;
    private final int width;
    /** Positions per head in {@link #keysT}: a multiple of the attention tile, grown by {@link #reserve}. */
    int capacity;
    /** Per layer: keys transposed, {@code [(head * headSize + d) * capacity + position]}. */
    float[][] keysT;
    /** Per layer: values, {@code [position * width + head * headSize + d]}. */
    float[][] values;
    private final int vocabSize;
    private float[][] logits = new float[0][];
    private float[] scoredLogits = new float[0];
    /** The model whose pruned layout logits rows [0, {@link #prunedRows}) hold, or null. */
    private Object prunedLayout;
    private int prunedRows;
    private int length;

    KvCache(Gpt2Config config) {
        this.contextLength = config.contextLength();
        this.vocabSize = config.vocabSize();
        this.width = config.embeddingSize();
        this.capacity = capacityFor(Math.min(contextLength, INITIAL_POSITIONS));
        this.keysT = new float[config.layers()][width * capacity];
        this.values = new float[config.layers()][width * capacity];
    }

    /**
     * Makes room for {@code positions} positions, at least doubling the room (up to the context) and
     * copying what is held. A cache sized for the whole context up front took 75 MB for gpt2 and
     * the decoders make one per generation: allocating and clearing them cost more than a short
     * generation's decoding, and collecting them paused the process for 0.1-0.3 s at a time.
     */
    void reserve(int positions) {
        if (positions <= capacity) {
            return;
        }
        int grown = capacityFor(Math.min(contextLength, Math.max(positions, 2 * capacity)));
        for (int l = 0; l < keysT.length; l++) {
            float[] k = new float[width * grown];
            for (int row = 0; row < width; row++) {
                System.arraycopy(keysT[l], row * capacity, k, row * grown, length);
            }
            keysT[l] = k;
            values[l] = Arrays.copyOf(values[l], width * grown);
        }
        capacity = grown;
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

    /**
     * How many leading logits rows already hold -infinity outside {@code layout}'s kept tokens
     * (see {@link PrunedVocabularyModel}), so that refilling them can be skipped.
     */
    int prunedRows(Object layout) {
        return prunedLayout == layout ? prunedRows : 0;
    }

    /** Records that rows [0, rows) hold -infinity outside {@code layout}'s kept tokens. */
    void markPruned(Object layout, int rows) {
        prunedLayout = layout;
        prunedRows = rows;
    }

    /** Logits rows for a forward of {@code rows} tokens, reused between calls; writing full rows marks none pruned. */
    float[][] logitsRows(int rows) {
        prunedLayout = null;
        prunedRows = 0;
        return prunedLogitsRows(rows);
    }

    /** {@link #logitsRows} for a pruned model, which keeps the marks it made with {@link #markPruned}. */
    float[][] prunedLogitsRows(int rows) {
        if (logits.length < rows) {
            float[][] grown = new float[Math.max(rows, logits.length * 2)][];
            for (int i = 0; i < grown.length; i++) {
                grown[i] = i < logits.length ? logits[i] : new float[vocabSize];
            }
            logits = grown;
        }
        return logits;
    }

    /** A row for the logits of a model's scored tokens only (see {@link CausalLanguageModel#forwardLastScored}). */
    float[] scoredLogitsRow(int size) {
        if (scoredLogits.length < size) {
            scoredLogits = new float[size];
        }
        return scoredLogits;
    }
}

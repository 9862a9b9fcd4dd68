package dev.specdec.decode;

import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.KvCache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wraps a model and records every forward pass together with the tokens the cache really held
 * before it, so a test can check that rollbacks leave each cache with exactly the committed text.
 */
final class RecordingModel implements CausalLanguageModel {

    /**
     * One forward pass: {@code tokens} appended at position {@code start} to a cache holding
     * {@code cached}, when the decoder had announced {@code announced} tokens (prompt included).
     */
    record Forward(int start, int[] tokens, int[] cached, int announced) {
    }

    private final CausalLanguageModel model;
    private final Map<KvCache, int[]> held = new IdentityHashMap<>();
    private final List<Forward> forwards = new ArrayList<>();
    private Transcript transcript;

    RecordingModel(CausalLanguageModel model) {
        this.model = model;
    }

    /** Starts a new recording; {@code announced} of each pass is read from {@code transcript}. */
    void record(Transcript transcript) {
        this.transcript = transcript;
        forwards.clear();
    }

    List<Forward> forwards() {
        return List.copyOf(forwards);
    }

    @Override
    public int vocabSize() {
        return model.vocabSize();
    }

    @Override
    public int contextLength() {
        return model.contextLength();
    }

    @Override
    public KvCache newCache() {
        KvCache cache = model.newCache();
        held.put(cache, new int[0]);
        return cache;
    }

    @Override
    public float[][] forward(int[] tokens, KvCache cache) {
        int start = cache.length();
        // A truncation only lowers cache.length(), so the first `start` tokens ever fed are what it holds.
        int[] cached = Arrays.copyOf(held.get(cache), start);
        forwards.add(new Forward(start, tokens.clone(), cached, transcript == null ? -1 : transcript.length()));
        float[][] rows = model.forward(tokens, cache);
        int[] now = Arrays.copyOf(cached, start + tokens.length);
        System.arraycopy(tokens, 0, now, start, tokens.length);
        held.put(cache, now);
        return rows;
    }
}

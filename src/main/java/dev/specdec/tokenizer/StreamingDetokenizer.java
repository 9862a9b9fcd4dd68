package dev.specdec.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns generated token ids into text as they arrive. Each {@link #push} returns only the text that became
 * final with that token. Byte-level BPE tokens can end in the middle of a multi-byte UTF-8 character;
 * such text decodes to a trailing U+FFFD and is held back until a later token completes the character.
 * Only a short window of recent ids is decoded per push, so streaming cost does not grow with the output.
 */
public final class StreamingDetokenizer {
    private static final char REPLACEMENT = '\uFFFD';

    private final Gpt2Tokenizer tokenizer;
    private final List<Integer> ids = new ArrayList<>();
    /** Start of the decode window: a token boundary that is also a character boundary. */
    private int windowStart;
    /** Ids before this index have been emitted. */
    private int emittedEnd;

    /** A detokenizer for one generated sequence (the prompt is not pushed). */
    public StreamingDetokenizer(Gpt2Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one generated id; returns the newly completed text, possibly empty. */
    public String push(int id) {
        ids.add(id);
        String emitted = decode(windowStart, emittedEnd);
        String all = decode(windowStart, ids.size());
        if (all.length() > emitted.length() && all.charAt(all.length() - 1) != REPLACEMENT
                && all.startsWith(emitted)) {
            windowStart = emittedEnd;
            emittedEnd = ids.size();
            return all.substring(emitted.length());
        }
        return "";
    }

    /** Adds several ids in order; returns the newly completed text, possibly empty. */
    public String push(int[] newIds) {
        StringBuilder text = new StringBuilder();
        for (int id : newIds) {
            text.append(push(id));
        }
        return text.toString();
    }

    /**
     * Returns the text still held back (an incomplete character decodes as U+FFFD here) and starts over:
     * call at the end of generation.
     */
    public String flush() {
        String rest = decode(windowStart, ids.size()).substring(decode(windowStart, emittedEnd).length());
        ids.clear();
        windowStart = 0;
        emittedEnd = 0;
        return rest;
    }

    private String decode(int from, int to) {
        if (from == to) {
            return "";
        }
        int[] window = new int[to - from];
        for (int i = from; i < to; i++) {
            window[i - from] = ids.get(i);
        }
        return tokenizer.decode(window);
    }
}

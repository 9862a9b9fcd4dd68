package dev.specdec.decode;

import java.util.Arrays;

/** The prompt plus every token a decoder has announced to its listener, in order. */
final class Transcript implements TokenListener {

    private int[] tokens;
    private int length;
    private final int promptLength;

    Transcript(int[] prompt) {
        this.tokens = Arrays.copyOf(prompt, prompt.length + 16);
        this.length = prompt.length;
        this.promptLength = prompt.length;
    }

    @Override
    public void onToken(int token) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, 2 * length);
        }
        tokens[length++] = token;
    }

    /** Prompt and announced tokens so far. */
    int length() {
        return length;
    }

    int[] prefix(int n) {
        return Arrays.copyOf(tokens, n);
    }

    int[] generated() {
        return Arrays.copyOfRange(tokens, promptLength, length);
    }
}

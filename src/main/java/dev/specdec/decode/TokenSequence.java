package dev.specdec.decode;

import dev.specdec.SpecdecException;
import dev.specdec.UsageException;

import java.util.Arrays;

/**
 * The prompt plus the tokens generated so far, with the three stopping rules every strategy shares:
 * end-of-text, the new-token budget and the model's context.
 */
final class TokenSequence {

    private int[] tokens;
    private int length;
    private final int promptLength;
    private final int maxNewTokens;
    private final int contextLength;
    private final int eosToken;
    private final TokenListener listener;
    private StopReason stopReason;

    TokenSequence(int[] prompt, GenerationConfig config, int contextLength, int eosToken, TokenListener listener) {
        if (prompt.length == 0) {
            throw new UsageException("the prompt is empty; give at least one token of text");
        }
        if (prompt.length >= contextLength) {
            throw new SpecdecException("the prompt has " + prompt.length + " tokens but the model's context is "
                    + contextLength + " (n_positions), which leaves no room to generate; shorten the prompt");
        }
        this.tokens = Arrays.copyOf(prompt, Math.min(contextLength, prompt.length + config.maxNewTokens()));
        this.length = prompt.length;
        this.promptLength = prompt.length;
        this.maxNewTokens = config.maxNewTokens();
        this.contextLength = contextLength;
        this.eosToken = config.stopAtEos() ? eosToken : -1;
        this.listener = listener;
    }

    /** Appends a generated token; returns false when generation must stop after it. */
    boolean append(int token) {
        tokens[length++] = token;
        listener.onToken(token);
        if (token == eosToken) {
            stopReason = StopReason.EOS;
        } else if (generated() >= maxNewTokens) {
            stopReason = StopReason.MAX_NEW_TOKENS;
        } else if (length >= contextLength) {
            stopReason = StopReason.CONTEXT_FULL;
        }
        return stopReason == null;
    }

    /** How many more tokens may be generated before a budget or the context runs out. */
    int remaining() {
        return Math.min(maxNewTokens - generated(), contextLength - length);
    }

    int[] array() {
        return tokens;
    }

    int length() {
        return length;
    }

    int last() {
        return tokens[length - 1];
    }

    int generated() {
        return length - promptLength;
    }

    StopReason stopReason() {
        return stopReason;
    }

    int[] prompt() {
        return Arrays.copyOf(tokens, promptLength);
    }

    int[] generatedTokens() {
        return Arrays.copyOfRange(tokens, promptLength, length);
    }
}

package dev.specdec.decode;

/** Receives each generated token as soon as it is final (for streaming output). */
@FunctionalInterface
public interface TokenListener {

    TokenListener NONE = token -> { };

    void onToken(int token);
}

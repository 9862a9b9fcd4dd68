package dev.specdec.decode;

/** Why generation ended. */
public enum StopReason {
    /** The model produced its end-of-text token. */
    EOS,
    /** The requested number of new tokens was reached. */
    MAX_NEW_TOKENS,
    /** The sequence filled the model's context (n_positions). */
    CONTEXT_FULL
}

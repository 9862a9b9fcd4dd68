package dev.specdec.decode;

/** The outcome of one generation: prompt ids, generated ids, why it stopped, and its statistics. */
public record GenerationResult(int[] promptTokens, int[] tokens, StopReason stopReason, DecodingStats stats) {
}

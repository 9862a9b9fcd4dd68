package dev.specdec.decode;

/** A decoding strategy: turns a prompt into generated tokens. */
public interface Decoder {

    GenerationResult generate(int[] prompt, GenerationConfig config, TokenListener listener);
}

package dev.specdec.decode;

import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.KvCache;

/** Plain autoregressive decoding with the target model alone: one forward pass per token. */
public final class TargetDecoder implements Decoder {

    private final CausalLanguageModel model;
    private final int eosToken;

    /** @param eosToken end-of-text id, or -1 when the model has none */
    public TargetDecoder(CausalLanguageModel model, int eosToken) {
        this.model = model;
        this.eosToken = eosToken;
    }

    @Override
    public GenerationResult generate(int[] prompt, GenerationConfig config, TokenListener listener) {
        long start = System.nanoTime();
        TokenSequence seq = new TokenSequence(prompt, config, model.contextLength(), eosToken, listener);
        Sampling sampling = Sampling.of(config);
        DecodingStats stats = new DecodingStats();
        stats.promptTokens = prompt.length;
        int vocab = model.vocabSize();
        KvCache cache = model.newCache();

        float[] probabilities = null;
        long t = System.nanoTime();
        float[] logits = model.forwardLast(prompt, cache);
        stats.prefillNanos = System.nanoTime() - t;
        stats.targetNanos += stats.prefillNanos;
        stats.prefillPasses = 1;
        while (true) {
            int token = sampling == null
                    ? LogitsWarper.argmax(logits, vocab)
                    : sampling.sample(probabilities = sampling.distribution(logits, vocab, probabilities), vocab);
            if (!seq.append(token)) {
                break;
            }
            t = System.nanoTime();
            logits = model.forward(new int[] {token}, cache)[0];
            stats.targetNanos += System.nanoTime() - t;
            stats.targetPasses++;
        }
        // The prompt's pass produced the first token, so it is a token-producing pass too.
        stats.targetPasses++;
        stats.generatedTokens = seq.generated();
        stats.totalNanos = System.nanoTime() - start;
        return new GenerationResult(seq.prompt(), seq.generatedTokens(), seq.stopReason(), stats);
    }
}

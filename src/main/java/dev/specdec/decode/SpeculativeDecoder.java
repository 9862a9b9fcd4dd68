package dev.specdec.decode;

import dev.specdec.SpecdecException;
import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.KvCache;

import java.util.Arrays;

/**
 * Speculative decoding (Leviathan et al. 2023; Chen et al. 2023): a drafter proposes k tokens, the
 * target scores all of them in one forward pass, the longest acceptable prefix is kept plus one token
 * of the target's own, and both caches roll back past the rejected tokens.
 *
 * <p>Each target pass feeds the last accepted token (whose logits are not known yet) followed by the
 * draft d1..dk, so row i of its output is the target's prediction for the position of d(i+1) and
 * the last row is the bonus prediction after dk. Greedy mode keeps a draft token only if it is the
 * target's argmax, so the output is exactly plain greedy decoding of the target. Sampling mode
 * accepts d with probability min(1, p(d)/q(d)) and on rejection samples from max(0, p - q), which
 * leaves the output distributed exactly as the target's.
 */
public final class SpeculativeDecoder implements Decoder {

    private final CausalLanguageModel target;
    private final Drafter drafter;
    private final int eosToken;
    /** Reused for every sampled row: the target's warped distribution and the rejection residual. */
    private float[] targetDistribution;
    private float[] residualBuffer;

    public SpeculativeDecoder(CausalLanguageModel target, Drafter drafter, int eosToken) {
        this.target = target;
        this.drafter = drafter;
        this.eosToken = eosToken;
    }

    @Override
    public GenerationResult generate(int[] prompt, GenerationConfig config, TokenListener listener) {
        long start = System.nanoTime();
        TokenSequence seq = new TokenSequence(prompt, config, target.contextLength(), eosToken, listener);
        int needed = Math.min(target.contextLength(), prompt.length + config.maxNewTokens());
        if (drafter.contextLength() < needed) {
            throw new SpecdecException("the draft model's context is " + drafter.contextLength()
                    + " tokens but this generation needs " + needed + " (prompt + --max-new-tokens); "
                    + "lower --max-new-tokens or use a draft with a longer context");
        }
        Sampling sampling = Sampling.of(config);
        DecodingStats stats = new DecodingStats();
        stats.promptTokens = prompt.length;
        long draftPassesBefore = drafter.draftPasses();
        KvCache cache = target.newCache();

        if (prompt.length > 1) {
            long t = System.nanoTime();
            target.forwardLast(Arrays.copyOf(prompt, prompt.length - 1), cache);
            stats.prefillNanos = System.nanoTime() - t;
            stats.targetNanos += stats.prefillNanos;
            stats.prefillPasses = 1;
        }
        long t0 = System.nanoTime();
        drafter.prefill(prompt, prompt.length);
        stats.draftPrefillNanos = System.nanoTime() - t0;
        stats.draftNanos += stats.draftPrefillNanos;
        int k = config.draftLength();
        while (true) {
            int budget = Math.min(k, seq.remaining() - 1);
            Draft draft = Draft.EMPTY;
            if (budget > 0) {
                long t = System.nanoTime();
                draft = drafter.propose(seq.array(), seq.length(), budget, sampling);
                stats.draftNanos += System.nanoTime() - t;
            }
            int[] input = new int[draft.size() + 1];
            input[0] = seq.last();
            System.arraycopy(draft.tokens(), 0, input, 1, draft.size());

            long t = System.nanoTime();
            float[][] rows = target.forward(input, cache);
            stats.targetNanos += System.nanoTime() - t;
            stats.targetPasses++;

            int[] kept = sampling == null ? verifyGreedy(draft, rows) : verifySampled(draft, rows, sampling);
            int accepted = kept.length - 1;
            stats.recordVerification(draft.size(), accepted);
            drafter.onVerified(draft.size(), accepted);
            cache.truncate(seq.length() + accepted);

            boolean going = true;
            for (int i = 0; i < kept.length && going; i++) {
                going = seq.append(kept[i]);
            }
            if (!going) {
                break;
            }
            if (config.adaptiveDraftLength()) {
                k = accepted == draft.size() && draft.size() > 0
                        ? Math.min(k + 2, config.maxDraftLength()) : Math.max(1, k - 1);
            }
        }
        stats.generatedTokens = seq.generated();
        stats.draftPasses = drafter.draftPasses() - draftPassesBefore;
        stats.totalNanos = System.nanoTime() - start;
        return new GenerationResult(seq.prompt(), seq.generatedTokens(), seq.stopReason(), stats);
    }

    /** The accepted draft prefix followed by the target's own token. */
    private int[] verifyGreedy(Draft draft, float[][] rows) {
        int vocab = target.vocabSize();
        int[] d = draft.tokens();
        int i = 0;
        while (i < d.length && LogitsWarper.argmax(rows[i], vocab) == d[i]) {
            i++;
        }
        int[] kept = Arrays.copyOf(d, i + 1);
        kept[i] = LogitsWarper.argmax(rows[i], vocab);
        return kept;
    }

    private int[] verifySampled(Draft draft, float[][] rows, Sampling sampling) {
        int vocab = target.vocabSize();
        int[] d = draft.tokens();
        for (int i = 0; i < d.length; i++) {
            float[] p = targetDistribution = sampling.distribution(rows[i], vocab, targetDistribution);
            float[] q = draft.distributions()[i];
            float qd = q == null ? 1f : q[d[i]];
            if (sampling.uniform() * qd < p[d[i]]) {
                continue;
            }
            int[] kept = Arrays.copyOf(d, i + 1);
            kept[i] = sampling.sample(residual(p, q, d[i], vocab), vocab);
            return kept;
        }
        int[] kept = Arrays.copyOf(d, d.length + 1);
        targetDistribution = sampling.distribution(rows[d.length], vocab, targetDistribution);
        kept[d.length] = sampling.sample(targetDistribution, vocab);
        return kept;
    }

    /** normalize(max(0, p - q)); falls back to p when the two are equal up to rounding. */
    private float[] residual(float[] p, float[] q, int draftToken, int vocab) {
        if (residualBuffer == null || residualBuffer.length < vocab) {
            residualBuffer = new float[vocab];
        }
        float[] r = residualBuffer;
        double sum = 0;
        for (int j = 0; j < vocab; j++) {
            float qj = q == null ? (j == draftToken ? 1f : 0f) : q[j];
            r[j] = Math.max(0f, p[j] - qj);
            sum += r[j];
        }
        return sum > 0 ? r : p;
    }
}

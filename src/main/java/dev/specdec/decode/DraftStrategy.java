package dev.specdec.decode;

import dev.specdec.SpecdecException;
import dev.specdec.UsageException;
import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.WeightFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How to draft, as one value: which drafter (a draft model, prompt lookup, both, or a Q8_0 copy of
 * the target), the draft's weight format, its pruned output vocabulary, its confidence threshold and
 * the lookup's n-gram sizes. The CLI and the bench build drafters through this; whatever the choice,
 * the target verifies every token, so the output does not change (greedy: identical; sampling: same
 * distribution).
 *
 * <pre>{@code
 * DraftStrategy s = DraftStrategy.model().withConfidence(0.4).withDraftVocabulary(table.mostFrequent(8192));
 * CausalLanguageModel draftView = s.draftModel(draft);          // once per loaded draft
 * Decoder d = new SpeculativeDecoder(target, s.drafter(target, draftView), eos);
 * }</pre>
 */
public final class DraftStrategy {

    /** Where draft tokens come from. */
    public enum Kind {
        /** A separate, smaller draft model. */
        MODEL,
        /** Prompt lookup only: no draft model at all. */
        LOOKUP,
        /** Prompt lookup when it finds a match, the draft model otherwise. */
        COMBINED,
        /** The target itself with Q8_0 weights as its own draft: no second checkpoint. */
        SELF_INT8
    }

    private final Kind kind;
    private final WeightFormat draftFormat;
    private final double confidence;
    private final int lookupMaxNgram;
    private final int lookupMinNgram;
    private final int lookupTokens;
    private final int[] draftVocabulary;

    private DraftStrategy(Kind kind, WeightFormat draftFormat, double confidence, int lookupMaxNgram,
                          int lookupMinNgram, int lookupTokens, int[] draftVocabulary) {
        this.kind = kind;
        this.draftFormat = draftFormat;
        this.confidence = confidence;
        this.lookupMaxNgram = lookupMaxNgram;
        this.lookupMinNgram = lookupMinNgram;
        this.lookupTokens = lookupTokens;
        this.draftVocabulary = draftVocabulary;
    }

    public static DraftStrategy of(Kind kind) {
        return new DraftStrategy(kind, null, 0, PromptLookupDrafter.DEFAULT_MAX_NGRAM,
                PromptLookupDrafter.DEFAULT_MIN_NGRAM, PromptLookupDrafter.DEFAULT_TOKENS, null);
    }

    /** A draft model, weights in the automatic format, full vocabulary, no confidence threshold. */
    public static DraftStrategy model() {
        return of(Kind.MODEL);
    }

    public static DraftStrategy lookup() {
        return of(Kind.LOOKUP);
    }

    public static DraftStrategy combined() {
        return of(Kind.COMBINED);
    }

    public static DraftStrategy selfInt8() {
        return of(Kind.SELF_INT8);
    }

    /** The draft's weight format; null picks {@link #draftFormat(WeightFormat) automatically}. */
    public DraftStrategy withDraftFormat(WeightFormat format) {
        return new DraftStrategy(kind, format, confidence, lookupMaxNgram, lookupMinNgram, lookupTokens, draftVocabulary);
    }

    /** Stops a model draft after a token the draft gives less than {@code p} (0: never). */
    public DraftStrategy withConfidence(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new UsageException("--draft-confidence must be in [0, 1), got " + p);
        }
        return new DraftStrategy(kind, draftFormat, p, lookupMaxNgram, lookupMinNgram, lookupTokens, draftVocabulary);
    }

    /** Lookup n-gram sizes (longest tried first) and the most tokens one lookup draft proposes. */
    public DraftStrategy withLookup(int maxNgram, int minNgram, int tokens) {
        PromptLookupDrafter.checkSettings(maxNgram, minNgram, tokens);
        return new DraftStrategy(kind, draftFormat, confidence, maxNgram, minNgram, tokens, draftVocabulary);
    }

    /** Token ids the draft model may propose (its output layer covers only these); null for all. */
    public DraftStrategy withDraftVocabulary(int[] tokenIds) {
        return new DraftStrategy(kind, draftFormat, confidence, lookupMaxNgram, lookupMinNgram, lookupTokens,
                tokenIds == null || tokenIds.length == 0 ? null : tokenIds.clone());
    }

    public Kind kind() {
        return kind;
    }

    /** Whether a draft model must be loaded (from its own folder, or the target's for {@link Kind#SELF_INT8}). */
    public boolean needsDraftModel() {
        return kind != Kind.LOOKUP;
    }

    /** Whether the draft model is the target's checkpoint loaded a second time. */
    public boolean draftsWithTarget() {
        return kind == Kind.SELF_INT8;
    }

    public double confidence() {
        return confidence;
    }

    public int lookupMaxNgram() {
        return lookupMaxNgram;
    }

    public int lookupMinNgram() {
        return lookupMinNgram;
    }

    public int lookupTokens() {
        return lookupTokens;
    }

    /** Size of the draft's pruned output vocabulary; 0 for the full vocabulary. */
    public int draftVocabularySize() {
        return draftVocabulary == null ? 0 : draftVocabulary.length;
    }

    /** The format asked for with {@link #withDraftFormat}, or null for automatic. */
    public WeightFormat requestedDraftFormat() {
        return draftFormat;
    }

    /**
     * The draft's weight format for a target in {@code targetFormat}: as requested, else Q8_0 for a
     * self-draft or an f32/bf16 target (the draft is memory-bound and tolerates int8 rounding, which
     * costs acceptance, never correctness), else the target's format.
     */
    public WeightFormat draftFormat(WeightFormat targetFormat) {
        if (kind == Kind.SELF_INT8) {
            return WeightFormat.Q8_0;
        }
        if (draftFormat != null) {
            return draftFormat;
        }
        return targetFormat == WeightFormat.F32 || targetFormat == WeightFormat.BF16 ? WeightFormat.Q8_0 : targetFormat;
    }

    /** The model the drafter runs: {@code draft} itself, or a view of it restricted to the draft vocabulary. */
    public CausalLanguageModel draftModel(Gpt2Model draft) {
        if (draft == null) {
            return null;
        }
        return draftVocabulary == null ? draft : draft.withOutputVocabulary(draftVocabulary);
    }

    /**
     * A fresh drafter for {@code target}.
     *
     * @param draftModel from {@link #draftModel(Gpt2Model)}; ignored (may be null) for {@link Kind#LOOKUP}
     */
    public Drafter drafter(Gpt2Model target, CausalLanguageModel draftModel) {
        if (kind == Kind.LOOKUP) {
            return lookupDrafter(target);
        }
        if (draftModel == null) {
            throw new SpecdecException("drafting with " + describe() + " needs a draft model; pass --draft "
                    + "(or use --lookup, which needs none)");
        }
        ModelDrafter model = new ModelDrafter(draftModel, confidence);
        return kind == Kind.COMBINED ? new CombinedDrafter(lookupDrafter(target), model) : model;
    }

    private PromptLookupDrafter lookupDrafter(Gpt2Model target) {
        return new PromptLookupDrafter(lookupMaxNgram, lookupMinNgram, lookupTokens, target.config().eosTokenId());
    }

    /**
     * The decoding configuration this strategy runs best with: prompt lookup alone proposes up to
     * {@link #lookupTokens()} per pass (a wrong lookup draft costs no draft time, so drafts are long),
     * every other strategy keeps the configured draft length.
     */
    public GenerationConfig configure(GenerationConfig config) {
        if (kind != Kind.LOOKUP) {
            return config;
        }
        return config.toBuilder().draftLength(lookupTokens).build();
    }

    /** A short label, e.g. {@code "model q8_0 vocab=8192 p_min=0.4"} or {@code "lookup n=2..1 tokens=10"}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(kind.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        if (needsDraftModel()) {
            parts.add(draftFormat == null && kind != Kind.SELF_INT8 ? "auto-dtype"
                    : draftFormat(WeightFormat.F32).cliName());
            if (draftVocabulary != null) {
                parts.add("vocab=" + draftVocabulary.length);
            }
            if (confidence > 0) {
                parts.add("p_min=" + confidence);
            }
        }
        if (kind == Kind.LOOKUP || kind == Kind.COMBINED) {
            parts.add("n=" + lookupMaxNgram + ".." + lookupMinNgram + " tokens=" + lookupTokens);
        }
        return String.join(" ", parts);
    }

    @Override
    public String toString() {
        return describe();
    }
}

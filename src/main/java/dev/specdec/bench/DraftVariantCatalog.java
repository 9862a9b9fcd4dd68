package dev.specdec.bench;

import dev.specdec.SpecdecException;
import dev.specdec.UsageException;
import dev.specdec.decode.DraftStrategy;
import dev.specdec.decode.PromptLookupDrafter;
import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.PrunedVocabularyModel;
import dev.specdec.model.WeightFormat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the names of {@code --draft-variants} into {@link DraftVariant}s through
 * {@link DraftStrategy}, loading each draft model once per weight format and closing them all at
 * the end.
 *
 * <ul>
 *   <li>{@code f32}, {@code bf16}, {@code f16}, {@code q8_0}: the draft model with weights in that format;</li>
 *   <li>{@code pruned}: the draft model in Q8_0 predicting only the most frequent tokens;</li>
 *   <li>{@code lookup}: prompt lookup, no draft model;</li>
 *   <li>{@code combined}: prompt lookup when it matches, else the draft model in Q8_0 (pruned when
 *       a frequency table is available);</li>
 *   <li>{@code self-int8}: the target's own checkpoint in Q8_0 as the draft.</li>
 * </ul>
 */
public final class DraftVariantCatalog implements AutoCloseable {

    /** Every variant name, in the order tables list them. */
    public static final List<String> NAMES =
            List.of("f32", "bf16", "f16", "q8_0", "pruned", "lookup", "combined", "self-int8");

    private final Gpt2Model target;
    private final Path targetDir;
    private final Path draftDir;
    private final int[] prunedVocabulary;
    private final int lookupTokens;
    private final Map<String, Gpt2Model> loaded = new LinkedHashMap<>();

    /**
     * @param draftDir         the draft checkpoint, null when only model-free and self drafts are wanted
     * @param prunedVocabulary token ids the {@code pruned} variant keeps, null when it is not available
     * @param longestDraft     the largest k to be run, so prompt lookup is never what limits a draft
     */
    public DraftVariantCatalog(Gpt2Model target, Path targetDir, Path draftDir, int[] prunedVocabulary,
                               int longestDraft) {
        this.target = target;
        this.targetDir = targetDir;
        this.draftDir = draftDir;
        this.prunedVocabulary = prunedVocabulary;
        this.lookupTokens = Math.max(PromptLookupDrafter.DEFAULT_TOKENS, longestDraft);
    }

    /** Checks names before anything slow is loaded; throws a usage error naming the first unknown one. */
    public static void requireKnown(List<String> names) {
        for (String name : names) {
            if (!NAMES.contains(name.trim())) {
                throw unknown(name.trim());
            }
        }
    }

    private static UsageException unknown(String name) {
        return new UsageException("unknown draft variant '" + name + "'; choose from " + String.join(", ", NAMES));
    }

    /** Resolves every name, loading what they need. */
    public List<DraftVariant> variants(List<String> names) {
        List<DraftVariant> out = new ArrayList<>();
        for (String name : names) {
            out.add(variant(name.trim()));
        }
        return out;
    }

    public DraftVariant variant(String name) {
        DraftStrategy strategy = strategy(name);
        Gpt2Model draft = null;
        if (strategy.needsDraftModel()) {
            Path folder = strategy.draftsWithTarget() ? targetDir : draftDir;
            if (folder == null) {
                throw new UsageException("draft variant " + name + " needs a draft model; pass --draft, or pick "
                        + "variants that need none (lookup, self-int8)");
            }
            draft = load(folder, strategy.draftFormat(target.format()));
        }
        CausalLanguageModel view = strategy.draftModel(draft);
        long bytes = view instanceof PrunedVocabularyModel p ? p.weightBytesPerStep()
                : view instanceof Gpt2Model g ? g.weightBytesPerStep() : 0;
        return new DraftVariant(name, strategy.describe(), bytes, () -> strategy.drafter(target, view));
    }

    private DraftStrategy strategy(String name) {
        return switch (name) {
            case "f32", "bf16", "f16", "q8_0" -> DraftStrategy.model().withDraftFormat(WeightFormat.parse(name));
            case "pruned" -> {
                if (prunedVocabulary == null) {
                    throw new UsageException("draft variant pruned needs a token frequency table; pass --draft-vocab "
                            + "FILE (see docs/DRAFTING.md) or leave pruned out of --draft-variants");
                }
                yield DraftStrategy.model().withDraftFormat(WeightFormat.Q8_0).withDraftVocabulary(prunedVocabulary);
            }
            case "lookup" -> DraftStrategy.lookup().withLookup(PromptLookupDrafter.DEFAULT_MAX_NGRAM,
                    PromptLookupDrafter.DEFAULT_MIN_NGRAM, lookupTokens);
            case "combined" -> DraftStrategy.combined().withDraftFormat(WeightFormat.Q8_0)
                    .withDraftVocabulary(prunedVocabulary)
                    .withLookup(PromptLookupDrafter.DEFAULT_MAX_NGRAM, PromptLookupDrafter.DEFAULT_MIN_NGRAM, lookupTokens);
            case "self-int8" -> DraftStrategy.selfInt8();
            default -> throw unknown(name);
        };
    }

    private Gpt2Model load(Path folder, WeightFormat format) {
        String key = folder.toAbsolutePath() + "|" + format;
        Gpt2Model model = loaded.get(key);
        if (model == null) {
            model = Gpt2Model.loadDraft(folder, format);
            loaded.put(key, model);
            if (model.vocabSize() != target.vocabSize()) {
                throw new SpecdecException("draft " + folder + " has a vocabulary of " + model.vocabSize()
                        + " but the target has " + target.vocabSize() + "; pick a draft trained with the same tokenizer");
            }
        }
        return model;
    }

    @Override
    public void close() {
        loaded.values().forEach(Gpt2Model::close);
        loaded.clear();
    }
}
